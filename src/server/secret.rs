//! The `~/.slime-secret` handshake (protocol brief, section 2).
//!
//! When the secret file exists, the first frame a client sends must equal the file's first
//! line byte for byte (an empty file means an empty secret, which Emacs sends as the
//! zero-length frame `000000`). The file is read at every connection, as swank does, so a
//! secret can be added or changed without restarting. Nothing is sent back either way; a
//! client that fails is simply disconnected. A secret file that exists but cannot be read
//! (even for want of a file descriptor) refuses every connection rather than letting clients
//! in unchecked. A client from a
//! non-loopback address is refused when there is no secret file at all (it may have been
//! removed after start-up, when `--allow-remote` checked that it existed).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::AsyncRead;

use crate::wire::frame::{FrameError, FrameReader};

/// Why a client was not let in.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("cannot read the secret file {path}: {source}")]
    UnreadableSecret {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a client from a non-loopback address needs a secret, and there is no secret file")]
    SecretRequired,
    #[error("no secret received within {0:?}")]
    Timeout(Duration),
    #[error("the client closed the connection before sending the secret")]
    ClosedBeforeSecret,
    #[error("the client sent the wrong secret")]
    WrongSecret,
    #[error("invalid secret frame: {0}")]
    Frame(#[from] FrameError),
}

/// Whether a client may come in without a secret when there is no secret file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Loopback TCP or a Unix socket: no secret file means no secret.
    Local,
    /// A non-loopback TCP peer: no secret file means refusal.
    Remote,
}

/// Checks the client's secret if the secret file at `secret_file` exists.
pub async fn authenticate<R: AsyncRead + Unpin>(
    frames: &mut FrameReader<R>,
    secret_file: Option<&Path>,
    timeout: Duration,
    origin: Origin,
) -> Result<(), AuthError> {
    let no_secret = match origin {
        Origin::Local => Ok(()),
        Origin::Remote => Err(AuthError::SecretRequired),
    };
    let Some(path) = secret_file else {
        return no_secret;
    };
    let Some(secret) = load_secret(path).await? else {
        return no_secret;
    };
    let frame = tokio::time::timeout(timeout, frames.read_frame_allowing_empty())
        .await
        .map_err(|_| AuthError::Timeout(timeout))??
        .ok_or(AuthError::ClosedBeforeSecret)?;
    if same_bytes(&frame, &secret) {
        Ok(())
    } else {
        Err(AuthError::WrongSecret)
    }
}

/// The secret: the first line of the file, without its line ending; `None` if there is no
/// file.
async fn load_secret(path: &Path) -> Result<Option<Vec<u8>>, AuthError> {
    // Looking the file up first needs no file descriptor, so that without a secret file a
    // client accepted with the process's last descriptor is not refused for want of one.
    // The lookup is one `stat` of a local file, done here: handing it to the blocking pool
    // cost a new connection two thread wake-ups. Reading the file goes there.
    match std::fs::metadata(path) {
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(AuthError::UnreadableSecret {
                path: path.to_path_buf(),
                source,
            });
        }
        Ok(_) => {}
    }
    let owned = path.to_path_buf();
    let contents = tokio::task::spawn_blocking(move || std::fs::read(&owned))
        .await
        .map_err(|join_error| AuthError::UnreadableSecret {
            path: path.to_path_buf(),
            source: std::io::Error::other(join_error),
        })?;
    match contents {
        Ok(contents) => Ok(Some(first_line(&contents).to_vec())),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AuthError::UnreadableSecret {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Everything before the first newline, minus a carriage return before it (Emacs reads a
/// CRLF file's first line without the CR, and Emacs is the client that has to match).
fn first_line(contents: &[u8]) -> &[u8] {
    let line = match contents.iter().position(|&byte| byte == b'\n') {
        Some(end) => contents.get(..end).unwrap_or_default(),
        None => contents,
    };
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
fn same_bytes(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_the_first_line_only() {
        assert_eq!(first_line(b"s3cr3t\nsecond\n"), b"s3cr3t");
        assert_eq!(first_line(b"s3cr3t\r\n"), b"s3cr3t");
        assert_eq!(first_line(b"no newline"), b"no newline");
        assert_eq!(first_line(b""), b"");
        assert_eq!(first_line(b"\n"), b"");
    }

    #[test]
    fn comparison_needs_equal_length_and_bytes() {
        assert!(same_bytes(b"abc", b"abc"));
        assert!(same_bytes(b"", b""));
        assert!(!same_bytes(b"abc", b"abd"));
        assert!(!same_bytes(b"abc", b"abcd"));
    }
}
