//! Splitting a client's socket into a reading and a writing half that work at once from
//! different threads. `tokio::io::split` guards both halves with one lock, so the
//! interpreter's direct writes ([`crate::events::DirectWrite`]) would wait for, and then wake,
//! the connection task reading at the same moment; the sockets' own halves share no lock.

use std::os::fd::AsRawFd;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream, tcp, unix};

/// A client's connected socket.
pub(crate) trait ClientSocket: AsRawFd + Send + 'static {
    type Reader: AsyncRead + Unpin + Send + 'static;
    type Writer: AsyncWrite + Unpin + Send + 'static;

    fn into_halves(self) -> (Self::Reader, Self::Writer);
}

impl ClientSocket for TcpStream {
    type Reader = tcp::OwnedReadHalf;
    type Writer = tcp::OwnedWriteHalf;

    fn into_halves(self) -> (Self::Reader, Self::Writer) {
        self.into_split()
    }
}

impl ClientSocket for UnixStream {
    type Reader = unix::OwnedReadHalf;
    type Writer = unix::OwnedWriteHalf;

    fn into_halves(self) -> (Self::Reader, Self::Writer) {
        self.into_split()
    }
}
