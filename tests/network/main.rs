//! Integration tests for the network side: real listeners and connections speaking literal
//! Swank bytes to a fake interpreter, the daemon binary, and why lexpr's parser is not used.

mod common;
mod connection;
mod daemon;
mod lexpr_defects;
mod secret;
mod unix_socket;
