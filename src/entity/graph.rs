//! STUB — owned by the evaluator work (branch `lang-eval`). Replaced wholesale.
