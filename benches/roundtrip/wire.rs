//! The client side of Swank framing, as Emacs speaks it.
//!
//! A frame is six hex digits giving the UTF-8 byte length of the payload, then the payload.
//! Requests go out with a lowercase header and a payload ending in `"\n"`, like `slime-net-send`.
//! Every socket operation has a timeout, so a server that never answers cannot hang the bench.

use std::fmt;
use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The package every request names, as Emacs sends it from a `CL-USER` buffer.
const PACKAGE: &str = "\"COMMON-LISP-USER\"";

/// Why a frame could not be sent or received.
#[derive(Debug)]
pub enum WireError {
    /// Nothing arrived (or could be sent) within the timeout.
    Timeout(Duration),
    /// The server closed the connection.
    Closed,
    /// The six header bytes are not a hex length.
    BadHeader(Vec<u8>),
    /// The payload is not UTF-8.
    BadPayload,
    /// This many frames arrived and none was a `:return`.
    NoReturn(usize),
    /// A reply came, and then no more output, while output it was owed was still missing.
    MissingOutput { received: usize, expected: usize },
    /// Any other socket error.
    Io(io::Error),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(limit) => write!(f, "nothing within {} ms", limit.as_millis()),
            Self::Closed => write!(f, "the server closed the connection"),
            Self::BadHeader(bytes) => {
                write!(f, "bad frame header {:?}", String::from_utf8_lossy(bytes))
            }
            Self::BadPayload => write!(f, "a frame payload is not UTF-8"),
            Self::NoReturn(frames) => write!(f, "{frames} frames without a :return"),
            Self::MissingOutput { received, expected } => write!(
                f,
                "the :return came with {received} of {expected} characters of output, \
                 and no more followed"
            ),
            Self::Io(err) => write!(f, "{err}"),
        }
    }
}

/// One client connection to a Swank server.
pub struct Connection {
    reader: BufReader<TcpStream>,
    timeout: Duration,
}

impl Connection {
    /// Connects to `addr`; `timeout` bounds the connect and every later read and write.
    pub fn open(addr: SocketAddr, timeout: Duration) -> Result<Self, WireError> {
        let stream =
            TcpStream::connect_timeout(&addr, timeout).map_err(|err| classify(err, timeout))?;
        stream
            .set_read_timeout(Some(timeout))
            .map_err(WireError::Io)?;
        stream
            .set_write_timeout(Some(timeout))
            .map_err(WireError::Io)?;
        stream.set_nodelay(true).map_err(WireError::Io)?;
        Ok(Self {
            reader: BufReader::new(stream),
            timeout,
        })
    }

    /// Sends `(:emacs-rex FORM "COMMON-LISP-USER" THREAD ID)` as a single write; `thread` is
    /// `t` for a new thread (what Emacs sends for most requests) or `:repl-thread`.
    pub fn send_rex(&mut self, form: &str, thread: &str, id: u64) -> Result<(), WireError> {
        self.send(&format!("(:emacs-rex {form} {PACKAGE} {thread} {id})"))
    }

    /// Sends `message` (followed by `"\n"`) as one frame, in a single write.
    pub fn send(&mut self, message: &str) -> Result<(), WireError> {
        let payload = format!("{message}\n");
        let frame = format!("{:06x}{payload}", payload.len());
        let timeout = self.timeout;
        self.reader
            .get_mut()
            .write_all(frame.as_bytes())
            .map_err(|err| classify(err, timeout))
    }

    /// Reads one whole frame and returns its payload.
    pub fn read_frame(&mut self) -> Result<String, WireError> {
        let mut header = [0; 6];
        self.read_exact(&mut header)?;
        let length = parse_header(&header)?;
        let mut payload = vec![0; length];
        self.read_exact(&mut payload)?;
        String::from_utf8(payload).map_err(|_| WireError::BadPayload)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), WireError> {
        let timeout = self.timeout;
        self.reader
            .read_exact(buf)
            .map_err(|err| classify(err, timeout))
    }
}

/// Decodes the six hex digits of a header (either case).
fn parse_header(header: &[u8; 6]) -> Result<usize, WireError> {
    std::str::from_utf8(header)
        .ok()
        .and_then(|digits| usize::from_str_radix(digits, 16).ok())
        .ok_or_else(|| WireError::BadHeader(header.to_vec()))
}

/// Names the socket errors the bench reports differently: timeouts and end of stream.
fn classify(err: io::Error, timeout: Duration) -> WireError {
    match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => WireError::Timeout(timeout),
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe => WireError::Closed,
        _ => WireError::Io(err),
    }
}
