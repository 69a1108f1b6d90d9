//! Safety of the doors: the Unix socket's directory and peers, non-loopback TCP, and HTTP
//! requests on a Swank port.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use swankd::server::{ListenerAddress, ServerError, ServerHandle, ServerSettings, UnixBindError};
use tokio::net::UnixStream;

use crate::common::{Client, FakeInterpreter, TempDir, start_tcp, test_settings};

const HTTP_REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

fn directory_with_mode(tag: &str, mode: u32) -> (TempDir, std::path::PathBuf) {
    let top = TempDir::new(tag);
    let directory = top.join("sockets");
    std::fs::create_dir(&directory).unwrap();
    std::fs::set_permissions(&directory, std::fs::Permissions::from_mode(mode)).unwrap();
    (top, directory)
}

#[tokio::test]
async fn refuses_a_socket_directory_others_can_write_to() {
    let interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    for (mode, reason) in [
        (0o777, "writable by its group and others"),
        (0o770, "writable by its group"),
        (0o703, "writable by others"),
    ] {
        let (_top, directory) = directory_with_mode("unix-unsafe-dir", mode);
        let path = directory.join("swank.sock");
        let error = server.listen_unix(&path).unwrap_err();
        match &error {
            ServerError::UnixBind(UnixBindError::UnsafeDirectory {
                directory: named,
                reason: given,
            }) => {
                assert_eq!(named, &directory);
                assert_eq!(*given, reason);
            }
            other => panic!("expected UnsafeDirectory, got {other}"),
        }
        let message = error.to_string();
        assert!(
            message.contains(&directory.display().to_string()),
            "{message}"
        );
        assert!(message.contains("not sticky"), "{message}");
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(&directory).unwrap().count(), 0);
    }
}

#[tokio::test]
async fn accepts_a_sticky_shared_directory_like_tmp() {
    let (_top, directory) = directory_with_mode("unix-sticky-dir", 0o1777);
    let path = directory.join("swank.sock");
    let mut interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    server.listen_unix(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let mut client = Client {
        stream: UnixStream::connect(&path).await.unwrap(),
    };
    interpreter.expect_connected().await;
    client.send("(:emacs-rex 1 nil t 1)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 1) 1)");
    server.shutdown().await;
}

/// A Unix server whose allowed uids are `allowed`; the test runs as its own uid.
async fn refused_peer(allowed: Vec<u32>) {
    let directory = TempDir::new("unix-peer");
    let path = directory.join("swank.sock");
    let mut interpreter = FakeInterpreter::echo();
    let settings = ServerSettings {
        allowed_uids: allowed,
        ..test_settings()
    };
    let server = ServerHandle::new(settings, interpreter.sender.clone());
    server.listen_unix(&path).unwrap();
    let mut client = Client {
        stream: UnixStream::connect(&path).await.unwrap(),
    };
    client.send("(:emacs-rex 1 nil t 1)").await;
    client.expect_closed().await;
    interpreter.expect_nothing(Duration::from_millis(200)).await;
    assert_eq!(server.connection_count(), 0);
    server.shutdown().await;
}

#[tokio::test]
async fn a_peer_whose_uid_is_not_allowed_is_closed_unread() {
    // SAFETY: getuid has no preconditions.
    let own = unsafe { libc::getuid() };
    refused_peer(Vec::new()).await;
    refused_peer(vec![own.wrapping_add(1)]).await;
}

#[tokio::test]
async fn an_allowed_extra_uid_is_served() {
    let directory = TempDir::new("unix-peer-allowed");
    let path = directory.join("swank.sock");
    let mut interpreter = FakeInterpreter::echo();
    // SAFETY: getuid has no preconditions.
    let own = unsafe { libc::getuid() };
    let settings = ServerSettings {
        allowed_uids: vec![own.wrapping_add(1), own],
        ..test_settings()
    };
    let server = ServerHandle::new(settings, interpreter.sender.clone());
    server.listen_unix(&path).unwrap();
    let mut client = Client {
        stream: UnixStream::connect(&path).await.unwrap(),
    };
    interpreter.expect_connected().await;
    client.send("(:emacs-rex 2 nil t 2)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 2) 2)");
    server.shutdown().await;
}

#[tokio::test]
async fn the_default_allowed_uid_is_swankds_own() {
    // SAFETY: geteuid has no preconditions.
    let own = unsafe { libc::geteuid() };
    assert_eq!(ServerSettings::default().allowed_uids, vec![own]);
}

#[tokio::test]
async fn a_server_refuses_non_loopback_tcp_unless_allowed() {
    let interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    let address = "0.0.0.0:0".parse().unwrap();
    let error = server.listen_tcp(address).await.unwrap_err();
    assert!(
        matches!(error, ServerError::RemoteNotAllowed(refused) if refused == address),
        "{error}"
    );
    assert!(server.addresses().is_empty());
    let allowed = ServerHandle::new(
        ServerSettings {
            allow_remote: true,
            ..test_settings()
        },
        interpreter.sender.clone(),
    );
    let listening = allowed.listen_tcp(address).await.unwrap();
    assert!(matches!(listening, ListenerAddress::Tcp(_)));
    allowed.shutdown().await;
}

#[tokio::test]
async fn an_http_request_is_closed_at_once_and_others_still_work() {
    let mut interpreter = FakeInterpreter::echo();
    let (server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut browser = Client::tcp(address).await;
    let connection = interpreter.expect_connected().await;
    browser.send_raw(HTTP_REQUEST).await;
    browser.expect_closed().await;
    interpreter.expect_disconnected(connection).await;

    for method in ["POST", "CONNECT", "DELETE", "OPTIONS"] {
        let mut browser = Client::tcp(address).await;
        let connection = interpreter.expect_connected().await;
        // Even with a Swank frame as the body, nothing reaches the interpreter.
        let mut request = format!("{method} / HTTP/1.1\r\nContent-Length: 30\r\n\r\n").into_bytes();
        request.extend_from_slice(&crate::common::emacs_frame("(:emacs-rex 1 nil t 1)"));
        browser.send_raw(&request).await;
        browser.expect_closed().await;
        interpreter.expect_disconnected(connection).await;
    }

    let mut emacs = Client::tcp(address).await;
    interpreter.expect_connected().await;
    emacs.send("(:emacs-rex 3 nil t 3)").await;
    assert_eq!(emacs.read_reply().await, "(:return (:ok 3) 3)");
    interpreter.expect_message().await;
    server.shutdown().await;
}

#[tokio::test]
async fn an_http_request_is_refused_before_the_secret_is_checked() {
    let directory = TempDir::new("http-secret");
    let secret = directory.join("secret");
    std::fs::write(&secret, b"GET / HTTP/1.1\r\n").unwrap();
    let mut interpreter = FakeInterpreter::echo();
    let settings = ServerSettings {
        secret_file: Some(secret),
        ..test_settings()
    };
    let (server, address) = start_tcp(settings, &interpreter).await;
    let mut browser = Client::tcp(address).await;
    browser.send_raw(HTTP_REQUEST).await;
    browser.expect_closed().await;
    interpreter.expect_nothing(Duration::from_millis(200)).await;
    server.shutdown().await;
}

/// The daemon binary with a private HOME and stderr piped.
fn swankd(home: &TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
    command
        .env("HOME", home.path())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The next stderr line containing `needle`, within ten seconds.
fn line_containing(lines: &Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no line containing {needle:?} in time"));
        if line.contains(needle) {
            return line;
        }
    }
}

#[test]
fn the_daemon_logs_an_http_request_distinctly_and_keeps_serving() {
    let home = TempDir::new("daemon-http");
    let mut child = swankd(&home)
        .args(["--port", "0", "--log-level", "warn"])
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = sender.send(line);
        }
    });
    let listening = line_containing(&lines, "swankd: listening on 127.0.0.1:");
    let port: u16 = listening.rsplit(':').next().unwrap().parse().unwrap();

    let mut browser = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    browser.write_all(HTTP_REQUEST).unwrap();
    let warning = line_containing(&lines, "refused an HTTP request");
    assert!(warning.contains("WARN"), "{warning}");
    assert!(warning.contains("GET"), "{warning}");

    let mut emacs = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    emacs
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let payload = "(:emacs-rex (cl:+ 1 2) \"cl-user\" t 1)\n";
    write!(emacs, "{:06x}{payload}", payload.len()).unwrap();
    let mut header = [0u8; 6];
    std::io::Read::read_exact(&mut emacs, &mut header).unwrap();
    let length = usize::from_str_radix(std::str::from_utf8(&header).unwrap(), 16).unwrap();
    let mut reply = vec![0u8; length];
    std::io::Read::read_exact(&mut emacs, &mut reply).unwrap();
    assert_eq!(String::from_utf8(reply).unwrap(), "(:return (:ok 3) 1)");

    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_daemon_refuses_remote_tcp_without_allow_remote_and_a_secret() {
    let home = TempDir::new("daemon-remote");
    let output = swankd(&home).args(["--host", "0.0.0.0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--allow-remote"), "{stderr}");

    let output = swankd(&home)
        .args(["--host", "0.0.0.0", "--allow-remote"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(".slime-secret does not exist"), "{stderr}");
}

#[test]
fn the_daemon_refuses_a_socket_in_a_world_writable_directory() {
    let (_top, directory) = directory_with_mode("daemon-unsafe-dir", 0o777);
    let home = TempDir::new("daemon-unsafe-home");
    let output = swankd(&home)
        .arg("--no-tcp")
        .arg("--unix")
        .arg(directory.join("swank.sock"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "refusing to create a socket in {}: it is writable by its group and others",
            directory.display()
        )),
        "{stderr}"
    );
}

/// This host's address on its default route, when it has a non-loopback one.
fn non_loopback_ip() -> Option<std::net::IpAddr> {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    probe.connect("192.0.2.1:9").ok()?;
    let ip = probe.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn a_remote_client_is_refused_while_the_secret_file_is_missing() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!("skipped: this host has no non-loopback address");
        return;
    };
    let directory = TempDir::new("remote-secret");
    let secret = directory.join("secret");
    let mut interpreter = FakeInterpreter::echo();
    let settings = ServerSettings {
        allow_remote: true,
        secret_file: Some(secret.clone()),
        ..test_settings()
    };
    let server = ServerHandle::new(settings, interpreter.sender.clone());
    let port = match server.listen_tcp("0.0.0.0:0".parse().unwrap()).await {
        Ok(ListenerAddress::Tcp(socket)) => socket.port(),
        other => panic!("{other:?}"),
    };
    let remote = std::net::SocketAddr::new(ip, port);

    let mut client = Client::tcp(remote).await;
    client.send("(:emacs-rex 1 nil t 1)").await;
    client.expect_closed().await;
    interpreter.expect_nothing(Duration::from_millis(200)).await;

    // A loopback client needs no secret when there is none.
    let mut local = Client::tcp(std::net::SocketAddr::new([127, 0, 0, 1].into(), port)).await;
    interpreter.expect_connected().await;
    local.send("(:emacs-rex 2 nil t 2)").await;
    assert_eq!(local.read_reply().await, "(:return (:ok 2) 2)");
    interpreter.expect_message().await;

    // With the secret in place, the remote client gets in by sending it.
    std::fs::write(&secret, b"s3cr3t\n").unwrap();
    let mut client = Client::tcp(remote).await;
    client.send_raw(b"000006s3cr3t").await;
    interpreter.expect_connected().await;
    client.send("(:emacs-rex 3 nil t 3)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 3) 3)");
    server.shutdown().await;
}
