//! Refusing HTTP requests on a Swank port.
//!
//! A web page can make a browser send an HTTP request to `127.0.0.1:4005` (an
//! inter-protocol attack): the request line and headers are junk to swank, but a body crafted
//! as Swank frames could be read as messages. Swank frames start with six hexadecimal digits,
//! and no HTTP method does (`CONNECT` and `DELETE` start with hex letters, but their second or
//! third letter is not one), so [`HttpGuard`] looks at the first bytes a client sends, before
//! the secret or any frame is read: if they start with an HTTP method followed by a space, the
//! read fails with [`HttpRequestRefused`] and the connection is closed. Any other first bytes
//! pass through unchanged.

use std::io::{self, ErrorKind};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

use crate::wire::frame::FrameError;

/// The request methods that are refused, each with its trailing space.
const METHODS: [&[u8]; 9] = [
    b"GET ",
    b"POST ",
    b"HEAD ",
    b"PUT ",
    b"DELETE ",
    b"OPTIONS ",
    b"CONNECT ",
    b"PATCH ",
    b"TRACE ",
];

/// The longest entry of [`METHODS`]: the most bytes the guard holds back.
const LONGEST_METHOD: usize = 8;

/// The client's first bytes are an HTTP request line.
#[derive(Debug, thiserror::Error)]
#[error("the client sent an HTTP {method} request, probably from a web browser")]
pub struct HttpRequestRefused {
    pub method: String,
}

impl HttpRequestRefused {
    /// The refusal inside a framing error, if that is what ended the read.
    pub fn in_frame_error(error: &FrameError) -> Option<&HttpRequestRefused> {
        match error {
            FrameError::Io(io) => io.get_ref()?.downcast_ref(),
            _ => None,
        }
    }
}

/// What the first bytes say so far.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// They begin with this method (and its space).
    Http(&'static [u8]),
    /// They are the start of some method: more bytes are needed.
    Undecided,
    /// They cannot be an HTTP request line.
    NotHttp,
}

fn judge(first: &[u8]) -> Verdict {
    if let Some(method) = METHODS.iter().find(|method| first.starts_with(method)) {
        return Verdict::Http(method);
    }
    if METHODS.iter().any(|method| method.starts_with(first)) {
        Verdict::Undecided
    } else {
        Verdict::NotHttp
    }
}

/// Wraps a connection's read half; see the module documentation.
#[derive(Debug)]
pub struct HttpGuard<R> {
    inner: R,
    /// The first bytes, held back until they are judged.
    held: [u8; LONGEST_METHOD],
    /// How many of `held` were received.
    received: usize,
    /// How many of `held` were handed on; `None` while still judging.
    handed_on: Option<usize>,
}

impl<R> HttpGuard<R> {
    pub fn new(inner: R) -> Self {
        HttpGuard {
            inner,
            held: [0; LONGEST_METHOD],
            received: 0,
            handed_on: None,
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for HttpGuard<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.handed_on.is_none() {
            let Some(free) = this.held.get_mut(this.received..) else {
                this.handed_on = Some(0);
                break;
            };
            let mut space = ReadBuf::new(free);
            match Pin::new(&mut this.inner).poll_read(context, &mut space) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Ready(Ok(())) => {}
            }
            let got = space.filled().len();
            this.received += got;
            let first = this.held.get(..this.received).unwrap_or_default();
            match judge(first) {
                Verdict::Http(method) => {
                    let method = String::from_utf8_lossy(method).trim_end().to_string();
                    let refused = HttpRequestRefused { method };
                    return Poll::Ready(Err(io::Error::new(ErrorKind::InvalidData, refused)));
                }
                // End of input: whatever arrived is handed on as it is.
                Verdict::Undecided if got > 0 => {}
                Verdict::Undecided | Verdict::NotHttp => this.handed_on = Some(0),
            }
        }
        if let Some(handed_on) = this.handed_on.as_mut() {
            let rest = this.held.get(*handed_on..this.received).unwrap_or_default();
            if !rest.is_empty() {
                let count = rest.len().min(buffer.remaining());
                buffer.put_slice(rest.get(..count).unwrap_or_default());
                *handed_on += count;
                return Poll::Ready(Ok(()));
            }
        }
        Pin::new(&mut this.inner).poll_read(context, buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[test]
    fn swank_headers_are_never_http() {
        assert_eq!(judge(b"00002a"), Verdict::NotHttp);
        assert_eq!(judge(b"DEADBE"), Verdict::NotHttp);
        assert_eq!(judge(b"C0FFEE"), Verdict::NotHttp);
        assert_eq!(judge(b"CO"), Verdict::Undecided);
        assert_eq!(judge(b"GET /"), Verdict::Http(b"GET "));
        assert_eq!(judge(b"GETX"), Verdict::NotHttp);
        assert_eq!(judge(b"OPTIONS "), Verdict::Http(b"OPTIONS "));
    }

    #[tokio::test]
    async fn passes_frames_through_whatever_the_pieces() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut guard = HttpGuard::new(server);
        tokio::io::AsyncWriteExt::write_all(&mut client, b"C")
            .await
            .unwrap();
        let reader = tokio::spawn(async move {
            let mut all = Vec::new();
            guard.read_to_end(&mut all).await.unwrap();
            all
        });
        tokio::io::AsyncWriteExt::write_all(&mut client, b"00001(:a)x")
            .await
            .unwrap();
        drop(client);
        assert_eq!(reader.await.unwrap(), b"C00001(:a)x");
    }

    #[tokio::test]
    async fn refuses_a_request_line() {
        let mut guard = HttpGuard::new(&b"POST /x HTTP/1.1\r\n"[..]);
        let mut all = Vec::new();
        let error = guard.read_to_end(&mut all).await.unwrap_err();
        let refused = error
            .get_ref()
            .unwrap()
            .downcast_ref::<HttpRequestRefused>();
        assert_eq!(refused.unwrap().method, "POST");
        assert!(all.is_empty());
    }

    #[tokio::test]
    async fn a_short_input_is_handed_on() {
        let mut guard = HttpGuard::new(&b"GE"[..]);
        let mut all = Vec::new();
        guard.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"GE");
    }
}
