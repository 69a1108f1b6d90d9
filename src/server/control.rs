//! [`ListenerControl`] for the interpreter: Lisp's `SWANK:CREATE-SERVER` and friends add and
//! remove listeners of the daemon's one [`ServerHandle`] from the interpreter thread.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

use tokio::runtime::Handle;

use super::{ListenerAddress, ServerHandle};
use crate::events::ListenerControl;

/// The daemon's server plus the runtime its listeners run on.
pub struct RuntimeListeners {
    server: ServerHandle,
    runtime: Handle,
}

impl RuntimeListeners {
    pub fn new(server: ServerHandle, runtime: Handle) -> Self {
        RuntimeListeners { server, runtime }
    }
}

impl ListenerControl for RuntimeListeners {
    fn listen_tcp(&self, host: &str, port: u16) -> Result<u16, String> {
        let address = resolve(host, port)?;
        let listening = self
            .runtime
            .block_on(self.server.listen_tcp(address))
            .map_err(|error| error.to_string())?;
        announce(&listening);
        match listening {
            ListenerAddress::Tcp(socket) => Ok(socket.port()),
            ListenerAddress::Unix(_) => {
                Err("internal error: a TCP listen gave a Unix socket".into())
            }
        }
    }

    fn listen_unix(&self, path: &Path) -> Result<(), String> {
        let _runtime = self.runtime.enter();
        let listening = self
            .server
            .listen_unix(path)
            .map_err(|error| error.to_string())?;
        announce(&listening);
        Ok(())
    }

    fn stop_tcp(&self, port: u16) -> bool {
        self.runtime.block_on(self.server.stop_tcp_port(port))
    }

    fn stop_unix(&self, path: &Path) -> bool {
        let address = ListenerAddress::Unix(path.to_path_buf());
        self.runtime.block_on(self.server.stop_listener(&address))
    }
}

/// An IP literal, or a name such as `localhost`, resolved to its first address.
fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    (host, port)
        .to_socket_addrs()
        .map_err(|error| format!("cannot resolve {host}: {error}"))?
        .next()
        .ok_or_else(|| format!("{host} has no address"))
}

/// The same start-up line the daemon prints for its own listeners.
fn announce(address: &ListenerAddress) {
    let _ = writeln!(std::io::stderr(), "swankd: listening on {address}");
}
