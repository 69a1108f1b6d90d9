//! A blocking Swank client that speaks exactly as Emacs does: lowercase six-digit headers,
//! payloads ending in a newline, the secret first when there is one. It reads whatever the
//! server sends back frame by frame and keeps every received message, so a scenario can check
//! order and shape. Every socket operation is bounded by the kit's timeout.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use lexpr::Value;

use crate::wire::reader::{ReaderLimits, read_datum};
use crate::wire::value::dispose;

/// Bounds on the replies the kit reads: servers send much bigger data than Emacs does
/// (SBCL's `:indentation-update` holds thousands of strings).
const REPLY_LIMITS: ReaderLimits = ReaderLimits {
    max_depth: 256,
    max_nodes: 1_000_000,
};

/// Where the server under test listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// `HOST:PORT`.
    Tcp(String),
    /// `unix:PATH`.
    Unix(PathBuf),
}

impl Address {
    /// `unix:/path` or `host:port`.
    pub fn parse(text: &str) -> Result<Address, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err("unix: needs a socket path".into());
            }
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        match text.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                Ok(Address::Tcp(text.to_string()))
            }
            _ => Err(format!("{text:?} is neither HOST:PORT nor unix:PATH")),
        }
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Tcp(address) => write!(f, "{address}"),
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Why talking to the server failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect to {address}: {source}")]
    Connect { address: String, source: io::Error },
    #[error("nothing arrived within {0:?}")]
    Timeout(Duration),
    #[error("the server closed the connection")]
    Closed,
    #[error("frame header {0:?} is not six hexadecimal digits")]
    BadHeader(String),
    #[error("a frame's payload is not valid UTF-8 (is its length counted in bytes?)")]
    NotUtf8,
    #[error("cannot read the payload {payload:?}: {reason}")]
    Unreadable { payload: String, reason: String },
    #[error("socket error: {0}")]
    Io(io::Error),
}

impl ClientError {
    fn from_io(error: io::Error, timeout: Duration) -> ClientError {
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ClientError::Timeout(timeout),
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => ClientError::Closed,
            _ => ClientError::Io(error),
        }
    }
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// One message from the server, read into data. Dropped without native recursion.
#[derive(Debug)]
pub struct Received {
    /// The six header characters as sent.
    pub header: String,
    /// The payload's length in bytes.
    pub payload_bytes: usize,
    pub value: Value,
}

impl Drop for Received {
    fn drop(&mut self) {
        dispose(std::mem::replace(&mut self.value, Value::Nil));
    }
}

/// A connection to the server under test.
pub struct Client {
    stream: Box<dyn Stream>,
    timeout: Duration,
    /// Every message received so far, in order.
    pub received: Vec<Received>,
}

impl Client {
    /// Connects and, when `secret` is given, sends it as the first frame.
    pub fn connect(
        address: &Address,
        timeout: Duration,
        secret: Option<&[u8]>,
    ) -> Result<Client, ClientError> {
        let connect_error = |source| ClientError::Connect {
            address: address.to_string(),
            source,
        };
        let stream: Box<dyn Stream> = match address {
            Address::Tcp(text) => {
                let stream = TcpStream::connect(text.as_str()).map_err(connect_error)?;
                stream
                    .set_read_timeout(Some(timeout))
                    .map_err(connect_error)?;
                stream
                    .set_write_timeout(Some(timeout))
                    .map_err(connect_error)?;
                stream.set_nodelay(true).map_err(connect_error)?;
                Box::new(stream)
            }
            Address::Unix(path) => {
                let stream = UnixStream::connect(path).map_err(connect_error)?;
                stream
                    .set_read_timeout(Some(timeout))
                    .map_err(connect_error)?;
                stream
                    .set_write_timeout(Some(timeout))
                    .map_err(connect_error)?;
                Box::new(stream)
            }
        };
        let mut client = Client {
            stream,
            timeout,
            received: Vec::new(),
        };
        if let Some(secret) = secret {
            client.send_raw(&frame_bytes(secret))?;
        }
        Ok(client)
    }

    /// Writes bytes as they are.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        let timeout = self.timeout;
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|error| ClientError::from_io(error, timeout))
    }

    /// Sends `sexp` the way Emacs does.
    pub fn send(&mut self, sexp: &str) -> Result<(), ClientError> {
        self.send_raw(&emacs_frame(sexp))
    }

    /// Sends `(:emacs-rex FORM "COMMON-LISP-USER" THREAD ID)`.
    pub fn send_rex(&mut self, form: &str, thread: &str, id: i64) -> Result<(), ClientError> {
        self.send(&rex(form, thread, id))
    }

    /// Reads the next message, records it and returns its index in [`Client::received`].
    pub fn receive(&mut self) -> Result<usize, ClientError> {
        let mut header = [0u8; 6];
        self.read_exact(&mut header)?;
        let header_text = String::from_utf8_lossy(&header).into_owned();
        let length = std::str::from_utf8(&header)
            .ok()
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .and_then(|digits| usize::from_str_radix(digits, 16).ok())
            .ok_or_else(|| ClientError::BadHeader(header_text.clone()))?;
        let mut payload = vec![0u8; length];
        self.read_exact(&mut payload)?;
        let text = String::from_utf8(payload).map_err(|_| ClientError::NotUtf8)?;
        let value = read_datum(&text, &REPLY_LIMITS).map_err(|error| ClientError::Unreadable {
            payload: text.chars().take(200).collect(),
            reason: error.to_string(),
        })?;
        self.received.push(Received {
            header: header_text,
            payload_bytes: length,
            value,
        });
        Ok(self.received.len() - 1)
    }

    /// Reads until the server closes the connection (messages sent before are recorded).
    /// Fails if it stays open for the whole timeout.
    pub fn expect_closed(&mut self) -> Result<(), String> {
        loop {
            match self.receive() {
                Ok(_) => continue,
                Err(ClientError::Closed) => return Ok(()),
                Err(ClientError::Timeout(waited)) => {
                    return Err(format!("the connection was still open after {waited:?}"));
                }
                // Garbage after a refusal still means the stream is done for.
                Err(ClientError::Io(_)) => return Ok(()),
                Err(other) => return Err(format!("expected the connection to close: {other}")),
            }
        }
    }

    fn read_exact(&mut self, buffer: &mut [u8]) -> Result<(), ClientError> {
        let timeout = self.timeout;
        self.stream
            .read_exact(buffer)
            .map_err(|error| ClientError::from_io(error, timeout))
    }
}

/// `(:emacs-rex FORM "COMMON-LISP-USER" THREAD ID)`.
pub fn rex(form: &str, thread: &str, id: i64) -> String {
    format!("(:emacs-rex {form} \"COMMON-LISP-USER\" {thread} {id})")
}

/// The frame Emacs sends for `sexp`: lowercase hex length, payload ending in a newline.
pub fn emacs_frame(sexp: &str) -> Vec<u8> {
    frame_bytes(format!("{sexp}\n").as_bytes())
}

/// A frame carrying `payload` as it is, with a lowercase header.
pub fn frame_bytes(payload: &[u8]) -> Vec<u8> {
    let mut frame = format!("{:06x}", payload.len()).into_bytes();
    frame.extend_from_slice(payload);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses() {
        assert_eq!(
            Address::parse("127.0.0.1:4005"),
            Ok(Address::Tcp("127.0.0.1:4005".into()))
        );
        assert_eq!(
            Address::parse("unix:/tmp/s"),
            Ok(Address::Unix("/tmp/s".into()))
        );
        assert!(Address::parse("unix:").is_err());
        assert!(Address::parse("4005").is_err());
        assert!(Address::parse("host:port").is_err());
    }

    #[test]
    fn frames_like_emacs() {
        assert_eq!(emacs_frame("(a é)"), b"000007(a \xc3\xa9)\n".to_vec());
    }
}
