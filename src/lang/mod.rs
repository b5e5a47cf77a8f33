//! The GSL language: grammar (`grammar/gsl.pest`), AST, parser, printer and evaluator.

pub mod ast;
pub mod error;
pub mod eval;
pub mod lexer;
pub mod parser;
pub mod printer;
