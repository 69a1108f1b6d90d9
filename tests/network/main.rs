//! Integration tests for the network side: real listeners and connections speaking literal
//! Swank bytes to a fake interpreter, the daemon binary, the safety of the doors (socket
//! directory and peers, remote TCP, HTTP requests), and why lexpr's parser is not used.

mod common;
mod connection;
mod daemon;
mod doors;
mod lexpr_defects;
mod secret;
mod unix_socket;
