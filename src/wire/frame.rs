//! Swank frames: six hexadecimal digits giving the UTF-8 byte length of the payload, then the
//! payload (protocol brief, section 1).
//!
//! Decoding is incremental, in the style of mini-redis: [`FrameDecoder`] is fed whatever bytes
//! arrived and hands out complete payloads; "not enough bytes yet" is the ordinary `Ok(None)`.
//! [`FrameReader`] drives a decoder from any `AsyncRead`: a clean end of input between frames
//! is `Ok(None)`, an end of input inside a frame is [`FrameError::Truncated`].
//! Encoding writes uppercase hex and no trailing newline, as swank does.

use std::time::Duration;

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::time::Instant;

use super::MAX_FRAME_BYTES;
use super::read_buffer::with_read_buffer;

/// Length of the hexadecimal header in bytes.
pub const HEADER_BYTES: usize = 6;

/// A decoder keeps at most this much spare capacity once its buffer is empty again, so one big
/// frame does not pin megabytes for the rest of a connection's life.
const RETAINED_CAPACITY_BYTES: usize = 64 * 1024;

/// Why the incoming byte stream is not a valid sequence of frames. Every variant ends the
/// connection: after any of them the stream cannot be resynchronised.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame header {header:?} is not six hexadecimal digits")]
    BadHeader { header: String },
    #[error("zero-length frame")]
    ZeroLength,
    #[error("frame of {length} bytes exceeds the limit of {limit} bytes")]
    TooLong { length: usize, limit: usize },
    #[error("end of input inside a frame ({buffered} bytes of it received)")]
    Truncated { buffered: usize },
    #[error(
        "a frame was not complete {timeout:?} after it began ({buffered} bytes of it received)"
    )]
    Stalled { buffered: usize, timeout: Duration },
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Why a payload cannot be framed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncodeError {
    #[error("payload of {length} bytes exceeds the frame limit of {limit} bytes")]
    TooLong { length: usize, limit: usize },
}

/// Whether a zero-length frame is acceptable. Only the secret frame may be empty (an empty
/// `~/.slime-secret` makes Emacs send `000000`); anywhere else swank closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyFrames {
    Reject,
    Accept,
}

/// Splits a byte stream into frame payloads, whatever pieces the bytes arrive in.
#[derive(Debug)]
pub struct FrameDecoder {
    buffer: Vec<u8>,
    start: usize,
    limit: usize,
}

impl FrameDecoder {
    /// A decoder that rejects payloads longer than `limit` bytes (capped at
    /// [`MAX_FRAME_BYTES`]).
    pub fn new(limit: usize) -> Self {
        FrameDecoder {
            buffer: Vec::new(),
            start: 0,
            limit: limit.min(MAX_FRAME_BYTES),
        }
    }

    /// Appends bytes that arrived.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// Bytes received but not yet handed out as a payload.
    pub fn buffered(&self) -> usize {
        self.buffer.len() - self.start
    }

    /// The next complete payload, `Ok(None)` if more bytes are needed. The header is checked
    /// as soon as its bytes arrive, so a bad or oversized header fails before its payload is
    /// buffered.
    pub fn decode(&mut self, empty: EmptyFrames) -> Result<Option<Vec<u8>>, FrameError> {
        let available = self.buffer.get(self.start..).unwrap_or_default();
        let header = available.get(..HEADER_BYTES).unwrap_or(available);
        let mut length = 0usize;
        for &byte in header {
            let digit = hex_digit(byte).ok_or_else(|| FrameError::BadHeader {
                header: header.escape_ascii().to_string(),
            })?;
            length = length * 16 + digit;
        }
        if header.len() < HEADER_BYTES {
            return Ok(None);
        }
        if length == 0 && empty == EmptyFrames::Reject {
            return Err(FrameError::ZeroLength);
        }
        if length > self.limit {
            return Err(FrameError::TooLong {
                length,
                limit: self.limit,
            });
        }
        let end = HEADER_BYTES + length;
        let Some(payload) = available.get(HEADER_BYTES..end) else {
            return Ok(None);
        };
        let payload = payload.to_vec();
        self.start += end;
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
            self.buffer.shrink_to(RETAINED_CAPACITY_BYTES);
        }
        Ok(Some(payload))
    }
}

fn hex_digit(byte: u8) -> Option<usize> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| usize::try_from(digit).ok())
}

/// Reads frame payloads from any byte source (a TCP or Unix stream, or a test double).
#[derive(Debug)]
pub struct FrameReader<R> {
    source: R,
    decoder: FrameDecoder,
    /// How long a frame may take from its first byte to its last; `None` waits for ever.
    frame_timeout: Option<Duration>,
    /// When the first byte of the frame now buffered arrived.
    frame_started: Option<Instant>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader that rejects payloads longer than `limit` bytes.
    pub fn new(source: R, limit: usize) -> Self {
        FrameReader {
            source,
            decoder: FrameDecoder::new(limit),
            frame_timeout: None,
            frame_started: None,
        }
    }

    /// Bounds the time from a frame's first byte to its last (a client announcing a length
    /// and never sending it, or sending a byte a second, ends with [`FrameError::Stalled`]).
    /// The wait between frames stays unbounded: an editor may sit idle for days.
    pub fn with_frame_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.frame_timeout = timeout;
        self
    }

    /// The byte source and the decoder with what was read but not yet handed out.
    pub fn into_parts(self) -> (R, FrameDecoder) {
        (self.source, self.decoder)
    }

    /// The next payload; `Ok(None)` when the peer closed cleanly between frames. Cancel-safe:
    /// bytes already read stay buffered for the next call.
    pub async fn read_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        self.read_frame_with(EmptyFrames::Reject).await
    }

    /// Like [`FrameReader::read_frame`], but a zero-length frame is an empty payload.
    pub async fn read_frame_allowing_empty(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        self.read_frame_with(EmptyFrames::Accept).await
    }

    async fn read_frame_with(&mut self, empty: EmptyFrames) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            if let Some(payload) = self.decoder.decode(empty)? {
                self.frame_started = (self.decoder.buffered() > 0).then(Instant::now);
                return Ok(Some(payload));
            }
            let (source, decoder) = (&mut self.source, &mut self.decoder);
            let read = std::future::poll_fn(|context| fill(source, decoder, context));
            let count = match (self.frame_timeout, self.frame_started) {
                (Some(timeout), Some(started)) => {
                    match tokio::time::timeout_at(started + timeout, read).await {
                        Ok(count) => count?,
                        Err(_) => {
                            return Err(FrameError::Stalled {
                                buffered: self.decoder.buffered(),
                                timeout,
                            });
                        }
                    }
                }
                _ => read.await?,
            };
            if count == 0 {
                return match self.decoder.buffered() {
                    0 => Ok(None),
                    buffered => Err(FrameError::Truncated { buffered }),
                };
            }
            if self.frame_started.is_none() {
                self.frame_started = Some(Instant::now());
            }
        }
    }
}

/// Reads what `source` has into `decoder` (through this thread's read buffer); the count
/// read, 0 at the end of input.
pub fn fill<R: AsyncRead + Unpin>(
    source: &mut R,
    decoder: &mut FrameDecoder,
    context: &mut Context<'_>,
) -> Poll<std::io::Result<usize>> {
    with_read_buffer(|chunk| {
        let mut buffer = ReadBuf::new(chunk);
        ready!(Pin::new(source).poll_read(context, &mut buffer))?;
        decoder.push(buffer.filled());
        Poll::Ready(Ok(buffer.filled().len()))
    })
}

/// One frame carrying `payload`: uppercase hex length, then the bytes, no trailing newline.
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>, EncodeError> {
    if payload.len() > MAX_FRAME_BYTES {
        return Err(EncodeError::TooLong {
            length: payload.len(),
            limit: MAX_FRAME_BYTES,
        });
    }
    let mut frame = Vec::with_capacity(HEADER_BYTES + payload.len());
    frame.extend_from_slice(format!("{:06X}", payload.len()).as_bytes());
    frame.extend_from_slice(payload);
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut FrameDecoder) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        while let Some(frame) = decoder.decode(EmptyFrames::Reject).unwrap() {
            frames.push(frame);
        }
        frames
    }

    #[test]
    fn decodes_frames_fed_one_byte_at_a_time() {
        let mut decoder = FrameDecoder::new(MAX_FRAME_BYTES);
        let mut frames = Vec::new();
        for byte in b"000003abc00000aHello\n, ok" {
            decoder.push(&[*byte]);
            frames.extend(decode_all(&mut decoder));
        }
        assert_eq!(frames, vec![b"abc".to_vec(), b"Hello\n, ok".to_vec()]);
        assert_eq!(decoder.buffered(), 0);
    }

    #[tokio::test]
    async fn a_frame_that_stops_arriving_is_stalled_but_idling_between_frames_is_not() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut reader = FrameReader::new(server, MAX_FRAME_BYTES)
            .with_frame_timeout(Some(Duration::from_millis(50)));
        use tokio::io::AsyncWriteExt;
        // Idle longer than the timeout before the frame starts: still read.
        let late = async {
            tokio::time::sleep(Duration::from_millis(120)).await;
            client.write_all(b"000001a").await.unwrap();
            client
        };
        let (frame, mut client) = tokio::join!(reader.read_frame(), late);
        assert_eq!(frame.unwrap(), Some(b"a".to_vec()));
        client.write_all(b"FFFFFF(").await.unwrap();
        match reader.read_frame().await {
            Err(FrameError::Stalled { buffered, .. }) => assert_eq!(buffered, 7),
            other => panic!("expected Stalled, got {other:?}"),
        }
    }

    #[test]
    fn decodes_two_frames_pushed_together_and_keeps_a_partial_third() {
        let mut decoder = FrameDecoder::new(MAX_FRAME_BYTES);
        decoder.push(b"000001a000001b0000");
        assert_eq!(decode_all(&mut decoder), vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(decoder.buffered(), 4);
    }

    #[test]
    fn accepts_either_case_in_the_header() {
        let mut decoder = FrameDecoder::new(MAX_FRAME_BYTES);
        let payload = vec![b'x'; 0xab];
        decoder.push(b"0000aB");
        decoder.push(&payload);
        assert_eq!(decode_all(&mut decoder), vec![payload]);
    }

    #[test]
    fn length_counts_bytes_not_characters() {
        let text = "héllo ☃";
        let mut decoder = FrameDecoder::new(MAX_FRAME_BYTES);
        decoder.push(&encode_frame(text.as_bytes()).unwrap());
        let frames = decode_all(&mut decoder);
        assert_eq!(frames, vec![text.as_bytes().to_vec()]);
        assert_eq!(&encode_frame(text.as_bytes()).unwrap()[..6], b"00000A");
    }

    #[test]
    fn rejects_a_non_hex_header_as_soon_as_it_arrives() {
        let mut decoder = FrameDecoder::new(MAX_FRAME_BYTES);
        decoder.push(b"00z");
        let error = decoder.decode(EmptyFrames::Reject).unwrap_err();
        assert!(matches!(error, FrameError::BadHeader { ref header } if header == "00z"));
    }

    #[test]
    fn rejects_zero_length_unless_asked_to_accept_it() {
        let mut decoder = FrameDecoder::new(MAX_FRAME_BYTES);
        decoder.push(b"000000");
        assert!(matches!(
            decoder.decode(EmptyFrames::Reject),
            Err(FrameError::ZeroLength)
        ));
        let mut decoder = FrameDecoder::new(MAX_FRAME_BYTES);
        decoder.push(b"000000");
        assert_eq!(
            decoder.decode(EmptyFrames::Accept).unwrap(),
            Some(Vec::new())
        );
    }

    #[test]
    fn rejects_lengths_above_the_limit_before_the_payload_arrives() {
        let mut decoder = FrameDecoder::new(16);
        decoder.push(b"000011");
        assert!(matches!(
            decoder.decode(EmptyFrames::Reject),
            Err(FrameError::TooLong {
                length: 17,
                limit: 16
            })
        ));
    }

    #[test]
    fn encoder_writes_uppercase_hex_and_refuses_oversized_payloads() {
        assert_eq!(encode_frame(&[b'a'; 0xAB]).unwrap()[..6], *b"0000AB");
        let too_big = vec![0u8; MAX_FRAME_BYTES + 1];
        assert_eq!(
            encode_frame(&too_big),
            Err(EncodeError::TooLong {
                length: MAX_FRAME_BYTES + 1,
                limit: MAX_FRAME_BYTES
            })
        );
    }

    #[tokio::test]
    async fn reader_distinguishes_clean_end_from_truncation() {
        let mut clean = FrameReader::new(&b"000002hi"[..], MAX_FRAME_BYTES);
        assert_eq!(clean.read_frame().await.unwrap(), Some(b"hi".to_vec()));
        assert!(clean.read_frame().await.unwrap().is_none());

        let mut truncated = FrameReader::new(&b"000005hi"[..], MAX_FRAME_BYTES);
        assert!(matches!(
            truncated.read_frame().await,
            Err(FrameError::Truncated { buffered: 8 })
        ));
    }
}
