//! Unix-domain listening sockets, for Emacs connecting through an ssh-forwarded socket.
//!
//! Binding is careful about the path. Its parent directory must not be writable by group or
//! others unless it is sticky (like `/tmp`): in such a directory another user could remove
//! the socket and put their own in its place, to collect what Emacs sends. A socket file that nobody listens on any more (left by a
//! crashed daemon) is replaced; a socket somebody still listens on, or any other kind of file,
//! is refused with an error naming it. The socket is created with mode 0600 inside a fresh
//! private directory and then renamed into place, so no other user can connect even in the
//! instant between bind and chmod. The file is removed when the listener is dropped, but only
//! if the path still holds the socket this listener created.
//!
//! Mode 0600 already keeps other users out, but a peer is also checked when accepted: its
//! uid (from the socket's peer credentials, `SO_PEERCRED`) must be in the server's allowed
//! set ([`super::ServerSettings::allowed_uids`], by default swankd's own effective uid). A
//! refused peer is logged with its uid and pid and closed before anything is read.

use std::fs::{self, DirBuilder, FileType};
use std::io::{self, ErrorKind};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::{UnixListener, UnixStream};

/// Why a Unix socket could not be set up at a path.
#[derive(Debug, thiserror::Error)]
pub enum UnixBindError {
    #[error("{path} exists and is {kind}, not a socket; refusing to replace it")]
    NotASocket { path: PathBuf, kind: &'static str },
    #[error("another process is already listening on {path}")]
    InUse { path: PathBuf },
    #[error(
        "refusing to create a socket in {directory}: it is {reason} and not sticky, so another \
         user could replace the socket"
    )]
    UnsafeDirectory {
        directory: PathBuf,
        reason: &'static str,
    },
    #[error("cannot bind the Unix socket {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// A listening Unix socket that owns its file.
#[derive(Debug)]
pub struct UnixSocketListener {
    listener: UnixListener,
    file: SocketFile,
}

impl UnixSocketListener {
    /// The path clients connect to.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// Accepts one client, described as `unix:PATH` (Unix peers have no address of their own).
    pub(crate) async fn accept(&self) -> io::Result<(UnixStream, String)> {
        let (stream, _) = self.listener.accept().await?;
        Ok((stream, format!("unix:{}", self.file.path.display())))
    }
}

/// swankd's effective uid, the one peer uid allowed by default.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Whether the peer of `stream` may be served: its uid is one of `allowed`. A refusal (or
/// peer credentials that cannot be read) is logged here.
pub(crate) fn peer_allowed(stream: &UnixStream, allowed: &[u32], peer: &str) -> bool {
    match stream.peer_cred() {
        Ok(credentials) if allowed.contains(&credentials.uid()) => true,
        Ok(credentials) => {
            tracing::warn!(
                %peer,
                uid = credentials.uid(),
                pid = credentials.pid(),
                allowed = ?allowed,
                "refused a Unix-socket peer whose uid is not allowed (see --allow-uid); closing"
            );
            false
        }
        Err(error) => {
            tracing::warn!(%peer, %error, "cannot read a Unix-socket peer's credentials; closing");
            false
        }
    }
}

/// Binds a Unix socket at `path` with mode 0600. Must run inside a tokio runtime.
pub fn bind(path: &Path) -> Result<UnixSocketListener, UnixBindError> {
    let io_error = |source| UnixBindError::Io {
        path: path.to_path_buf(),
        source,
    };
    check_directory(path)?;
    clear_stale_socket(path)?;
    let private = PrivateDirectory::create_beside(path).map_err(io_error)?;
    let temporary = private.path.join("s");
    let listener = std::os::unix::net::UnixListener::bind(&temporary).map_err(io_error)?;
    fs::set_permissions(&temporary, fs::Permissions::from_mode(0o600)).map_err(io_error)?;
    fs::rename(&temporary, path).map_err(io_error)?;
    drop(private);
    let metadata = fs::symlink_metadata(path).map_err(io_error)?;
    let file = SocketFile {
        path: path.to_path_buf(),
        device: metadata.dev(),
        inode: metadata.ino(),
    };
    listener.set_nonblocking(true).map_err(io_error)?;
    let listener = UnixListener::from_std(listener).map_err(io_error)?;
    Ok(UnixSocketListener { listener, file })
}

/// The directory a socket at `path` is created in.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Refuses a parent directory that group or others may write to, unless it is sticky.
fn check_directory(path: &Path) -> Result<(), UnixBindError> {
    let directory = parent_of(path);
    let metadata = fs::metadata(directory).map_err(|source| UnixBindError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mode = metadata.permissions().mode();
    let sticky = mode & 0o1000 != 0;
    let reason = match (mode & 0o020 != 0, mode & 0o002 != 0) {
        _ if sticky => return Ok(()),
        (false, false) => return Ok(()),
        (true, false) => "writable by its group",
        (false, true) => "writable by others",
        (true, true) => "writable by its group and others",
    };
    Err(UnixBindError::UnsafeDirectory {
        directory: directory.to_path_buf(),
        reason,
    })
}

/// Removes a socket file nobody listens on; refuses live sockets and other files.
fn clear_stale_socket(path: &Path) -> Result<(), UnixBindError> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(UnixBindError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let file_type = metadata.file_type();
    if !file_type.is_socket() {
        return Err(UnixBindError::NotASocket {
            path: path.to_path_buf(),
            kind: describe(file_type),
        });
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(UnixBindError::InUse {
            path: path.to_path_buf(),
        }),
        Err(error) if error.kind() == ErrorKind::ConnectionRefused => {
            tracing::info!(path = %path.display(), "replacing a stale socket file");
            fs::remove_file(path).map_err(|source| UnixBindError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
        Err(source) => Err(UnixBindError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn describe(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else {
        "an unknown kind of file"
    }
}

/// A mode-0700 directory next to the final socket path, removed when dropped.
struct PrivateDirectory {
    path: PathBuf,
}

impl PrivateDirectory {
    fn create_beside(socket: &Path) -> io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let parent = parent_of(socket);
        let name = format!(
            ".swankd.{}.{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = parent.join(name);
        DirBuilder::new().mode(0o700).create(&path)?;
        Ok(PrivateDirectory { path })
    }
}

impl Drop for PrivateDirectory {
    fn drop(&mut self) {
        let _ = fs::remove_file(self.path.join("s"));
        let _ = fs::remove_dir(&self.path);
    }
}

/// The socket file a listener created, identified by device and inode.
#[derive(Debug)]
struct SocketFile {
    path: PathBuf,
    device: u64,
    inode: u64,
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let ours = fs::symlink_metadata(&self.path)
            .map(|metadata| metadata.dev() == self.device && metadata.ino() == self.inode)
            .unwrap_or(false);
        if ours {
            match fs::remove_file(&self.path) {
                Ok(()) => tracing::debug!(path = %self.path.display(), "removed the socket file"),
                Err(error) => {
                    tracing::warn!(path = %self.path.display(), %error, "cannot remove the socket file")
                }
            }
        }
    }
}
