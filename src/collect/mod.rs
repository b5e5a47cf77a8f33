//! STUB — owned by the collectors work (branch `collect`). Replaced wholesale.
