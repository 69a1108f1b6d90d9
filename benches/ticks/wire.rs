//! A Swank client as Emacs frames it: six lowercase hex digits of the payload's UTF-8 byte
//! length, then the payload ending in `"\n"`. Every socket operation has a timeout.

use std::fmt;
use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long any connect, read or write may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a request got no reply.
#[derive(Debug)]
pub enum WireError {
    Io(io::Error),
    BadHeader(Vec<u8>),
    /// The reply to a request is not `(:return (:ok ...) ID)`.
    NotOk(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "{err}"),
            Self::BadHeader(bytes) => {
                write!(f, "bad frame header {:?}", String::from_utf8_lossy(bytes))
            }
            Self::NotOk(reply) => write!(f, "unexpected reply {reply}"),
        }
    }
}

impl From<io::Error> for WireError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

pub struct Connection {
    reader: BufReader<TcpStream>,
    next_id: u64,
}

impl Connection {
    pub fn open(addr: SocketAddr) -> Result<Self, WireError> {
        let stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
        stream.set_read_timeout(Some(TIMEOUT))?;
        stream.set_write_timeout(Some(TIMEOUT))?;
        stream.set_nodelay(true)?;
        let mut connection = Self {
            reader: BufReader::new(stream),
            next_id: 1,
        };
        connection.request("(swank:connection-info)")?;
        Ok(connection)
    }

    /// Sends `(:emacs-rex FORM "COMMON-LISP-USER" t ID)` without waiting for the reply.
    pub fn send(&mut self, form: &str) -> Result<u64, WireError> {
        let id = self.next_id;
        self.next_id += 1;
        let payload = format!("(:emacs-rex {form} \"COMMON-LISP-USER\" t {id})\n");
        let frame = format!("{:06x}{payload}", payload.len());
        self.reader.get_mut().write_all(frame.as_bytes())?;
        Ok(id)
    }

    /// Sends FORM and reads frames until its `:return`, which must be `:ok`.
    pub fn request(&mut self, form: &str) -> Result<String, WireError> {
        let id = self.send(form)?;
        loop {
            let frame = self.read_frame()?;
            if frame.starts_with("(:return ") {
                return if frame.starts_with("(:return (:ok ") && frame.ends_with(&format!(" {id})"))
                {
                    Ok(frame)
                } else {
                    Err(WireError::NotOk(frame))
                };
            }
        }
    }

    fn read_frame(&mut self) -> Result<String, WireError> {
        let mut header = [0; 6];
        self.reader.read_exact(&mut header)?;
        let length = std::str::from_utf8(&header)
            .ok()
            .and_then(|digits| usize::from_str_radix(digits, 16).ok())
            .ok_or_else(|| WireError::BadHeader(header.to_vec()))?;
        let mut payload = vec![0; length];
        self.reader.read_exact(&mut payload)?;
        Ok(String::from_utf8_lossy(&payload).into_owned())
    }
}

/// `form` as a Lisp string literal, for `swank:interactive-eval`.
pub fn lisp_string(form: &str) -> String {
    format!("\"{}\"", form.replace('\\', "\\\\").replace('"', "\\\""))
}
