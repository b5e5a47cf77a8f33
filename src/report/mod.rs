//! Rendering evaluation results as text or JSON.
