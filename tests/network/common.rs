//! Test helpers: temporary directories, a fake interpreter thread, and a raw-bytes client.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lexpr::Value;
use swankd::events::{ConnectionId, EmacsMessage, InterpreterSender, Outbox, ToInterpreter};
use swankd::server::{ServerHandle, ServerSettings};
use swankd::wire::value::list;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// How long a test waits for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "swankd-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// What the fake interpreter saw, in order.
#[derive(Debug)]
pub enum Observed {
    Connected {
        connection: ConnectionId,
        peer: String,
    },
    Message {
        #[allow(dead_code)]
        connection: ConnectionId,
        message: EmacsMessage,
    },
    Disconnected {
        connection: ConnectionId,
    },
}

/// Decides how the fake interpreter answers a message.
pub type Responder = Box<dyn Fn(&Outbox, &EmacsMessage) + Send>;

/// An interpreter stand-in on its own thread, fed through the real contract channel.
pub struct FakeInterpreter {
    pub sender: InterpreterSender,
    pub observed: UnboundedReceiver<Observed>,
}

impl FakeInterpreter {
    /// Answers every request with `(:return (:ok FORM) ID)`.
    pub fn echo() -> Self {
        Self::with_responder(Box::new(|outbox, message| {
            if let EmacsMessage::Rex { form, id, .. } = message {
                let _ = outbox.send(ok_reply(form.clone(), *id));
            }
        }))
    }

    /// Never answers.
    pub fn silent() -> Self {
        Self::with_responder(Box::new(|_, _| {}))
    }

    pub fn with_responder(responder: Responder) -> Self {
        let (sender, receiver) = std::sync::mpsc::channel::<ToInterpreter>();
        let (observer, observed) = unbounded_channel();
        std::thread::spawn(move || {
            let mut outboxes = std::collections::HashMap::new();
            while let Ok(event) = receiver.recv() {
                match event {
                    ToInterpreter::Connected {
                        connection,
                        peer,
                        outbox,
                        ..
                    } => {
                        outboxes.insert(connection, outbox);
                        let _ = observer.send(Observed::Connected { connection, peer });
                    }
                    ToInterpreter::Message {
                        connection,
                        message,
                    } => {
                        if let Some(outbox) = outboxes.get(&connection) {
                            responder(outbox, &message);
                        }
                        let _ = observer.send(Observed::Message {
                            connection,
                            message,
                        });
                    }
                    ToInterpreter::Disconnected { connection } => {
                        outboxes.remove(&connection);
                        let _ = observer.send(Observed::Disconnected { connection });
                    }
                    ToInterpreter::Input { .. } | ToInterpreter::SocketReady { .. } => {}
                    ToInterpreter::Shutdown => break,
                }
            }
        });
        FakeInterpreter { sender, observed }
    }

    pub async fn next(&mut self) -> Observed {
        tokio::time::timeout(PATIENCE, self.observed.recv())
            .await
            .expect("the fake interpreter saw nothing in time")
            .expect("the fake interpreter stopped")
    }

    pub async fn expect_connected(&mut self) -> ConnectionId {
        match self.next().await {
            Observed::Connected { connection, .. } => connection,
            other => panic!("expected Connected, got {other:?}"),
        }
    }

    pub async fn expect_message(&mut self) -> EmacsMessage {
        match self.next().await {
            Observed::Message { message, .. } => message,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    pub async fn expect_disconnected(&mut self, expected: ConnectionId) {
        match self.next().await {
            Observed::Disconnected { connection } => assert_eq!(connection, expected),
            other => panic!("expected Disconnected, got {other:?}"),
        }
    }

    /// Nothing more arrives within `wait`.
    pub async fn expect_nothing(&mut self, wait: Duration) {
        if let Ok(Some(observed)) = tokio::time::timeout(wait, self.observed.recv()).await {
            panic!("expected nothing, got {observed:?}");
        }
    }
}

pub fn ok_reply(value: Value, id: i64) -> Value {
    list(vec![
        Value::keyword("return"),
        list(vec![Value::keyword("ok"), value]),
        Value::from(id),
    ])
}

/// Settings for tests: no secret file unless a test sets one.
pub fn test_settings() -> ServerSettings {
    ServerSettings {
        secret_file: None,
        auth_timeout: Duration::from_millis(500),
        ..ServerSettings::default()
    }
}

/// A server on a fresh loopback port.
pub async fn start_tcp(
    settings: ServerSettings,
    interpreter: &FakeInterpreter,
) -> (ServerHandle, SocketAddr) {
    let server = ServerHandle::new(settings, interpreter.sender.clone());
    let address = server
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    match address {
        swankd::server::ListenerAddress::Tcp(socket) => (server, socket),
        other => panic!("not a TCP address: {other}"),
    }
}

/// A client that speaks raw bytes.
pub struct Client<S> {
    pub stream: S,
}

impl Client<TcpStream> {
    pub async fn tcp(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Client { stream }
    }
}

/// The frame Emacs would send for `sexp`: lowercase hex, payload ending in a newline.
pub fn emacs_frame(sexp: &str) -> Vec<u8> {
    let payload = format!("{sexp}\n");
    let mut frame = format!("{:06x}", payload.len()).into_bytes();
    frame.extend_from_slice(payload.as_bytes());
    frame
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Sends `sexp` the way Emacs does.
    pub async fn send(&mut self, sexp: &str) {
        self.send_raw(&emacs_frame(sexp)).await;
    }

    /// Reads one frame and returns its payload; checks the header is six uppercase hex digits.
    pub async fn read_reply(&mut self) -> String {
        tokio::time::timeout(PATIENCE, async {
            let mut header = [0u8; 6];
            self.stream.read_exact(&mut header).await.unwrap();
            let header = std::str::from_utf8(&header).unwrap();
            assert!(
                header
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
                "header {header:?}"
            );
            let length = usize::from_str_radix(header, 16).unwrap();
            let mut payload = vec![0u8; length];
            self.stream.read_exact(&mut payload).await.unwrap();
            String::from_utf8(payload).unwrap()
        })
        .await
        .expect("no reply in time")
    }

    /// The server closes the connection (EOF or reset) within the test's patience.
    pub async fn expect_closed(&mut self) {
        let mut buffer = [0u8; 256];
        let outcome = tokio::time::timeout(PATIENCE, async {
            loop {
                match self.stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(outcome.is_ok(), "the server did not close the connection");
    }

    /// Nothing arrives within `wait` (and the connection is not closed).
    pub async fn expect_silence(&mut self, wait: Duration) {
        let mut buffer = [0u8; 1];
        match tokio::time::timeout(wait, self.stream.read(&mut buffer)).await {
            Err(_) => {}
            Ok(Ok(0)) => panic!("the connection was closed"),
            Ok(other) => panic!("expected silence, got {other:?}"),
        }
    }
}
