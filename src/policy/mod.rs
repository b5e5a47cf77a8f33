//! Policy files: one rule plus metadata in leading comment lines.
