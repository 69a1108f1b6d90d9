//! The `~/.slime-secret` handshake, each test with its own temporary secret file.

use std::time::Duration;

use swankd::server::ServerSettings;

use crate::common::{Client, FakeInterpreter, TempDir, start_tcp, test_settings};

fn settings_with_secret(directory: &TempDir, contents: Option<&[u8]>) -> ServerSettings {
    let path = directory.join(".slime-secret");
    if let Some(contents) = contents {
        std::fs::write(&path, contents).unwrap();
    }
    ServerSettings {
        secret_file: Some(path),
        auth_timeout: Duration::from_millis(300),
        ..test_settings()
    }
}

#[tokio::test]
async fn the_right_secret_lets_the_client_in() {
    let home = TempDir::new("secret-right");
    let mut interpreter = FakeInterpreter::echo();
    let settings = settings_with_secret(&home, Some(b"s3cr3t\nignored second line\n"));
    let (_server, address) = start_tcp(settings, &interpreter).await;
    let mut client = Client::tcp(address).await;
    // Exactly what Emacs sends: the raw secret frame, then the first request at once.
    client
        .send_raw(
            b"000006s3cr3t00003c(:emacs-rex (swank:connection-info) \"COMMON-LISP-USER\" t 1)\n",
        )
        .await;
    interpreter.expect_connected().await;
    assert_eq!(
        client.read_reply().await,
        "(:return (:ok (swank:connection-info)) 1)"
    );
}

#[tokio::test]
async fn an_empty_secret_file_expects_a_zero_length_frame() {
    let home = TempDir::new("secret-empty");
    let interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(settings_with_secret(&home, Some(b"")), &interpreter).await;
    let mut client = Client::tcp(address).await;
    client.send_raw(b"000000").await;
    client.send("(:emacs-rex 1 nil t 1)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 1) 1)");
}

/// The client is disconnected without the interpreter ever hearing of it, and the listener
/// keeps accepting.
async fn expect_refused(settings: ServerSettings, first_bytes: &[u8]) {
    let mut interpreter = FakeInterpreter::echo();
    let secret = std::fs::read(settings.secret_file.as_ref().unwrap()).ok();
    let (_server, address) = start_tcp(settings, &interpreter).await;
    let mut client = Client::tcp(address).await;
    client.send_raw(first_bytes).await;
    client.expect_closed().await;
    interpreter.expect_nothing(Duration::from_millis(100)).await;

    if let Some(secret) = secret {
        let mut next = Client::tcp(address).await;
        let line = secret.split(|&byte| byte == b'\n').next().unwrap();
        let mut frame = format!("{:06x}", line.len()).into_bytes();
        frame.extend_from_slice(line);
        next.send_raw(&frame).await;
        interpreter.expect_connected().await;
    }
}

#[tokio::test]
async fn a_wrong_secret_closes_only_that_connection() {
    let home = TempDir::new("secret-wrong");
    expect_refused(
        settings_with_secret(&home, Some(b"s3cr3t\n")),
        b"000006s3cr3u",
    )
    .await;
}

#[tokio::test]
async fn a_quoted_or_newline_terminated_secret_is_wrong() {
    let home = TempDir::new("secret-quoted");
    expect_refused(
        settings_with_secret(&home, Some(b"s3cr3t\n")),
        b"000008\"s3cr3t\"",
    )
    .await;
    let home = TempDir::new("secret-newline");
    expect_refused(
        settings_with_secret(&home, Some(b"s3cr3t\n")),
        b"000007s3cr3t\n",
    )
    .await;
}

#[tokio::test]
async fn a_missing_secret_closes_the_connection() {
    let home = TempDir::new("secret-missing");
    // Sent no secret: the first request is taken as the password and fails.
    let request = crate::common::emacs_frame("(:emacs-rex (swank:connection-info) nil t 1)");
    expect_refused(settings_with_secret(&home, Some(b"s3cr3t\n")), &request).await;
}

#[tokio::test]
async fn a_client_that_sends_nothing_times_out() {
    let home = TempDir::new("secret-timeout");
    expect_refused(settings_with_secret(&home, Some(b"s3cr3t\n")), b"").await;
}

#[tokio::test]
async fn without_a_secret_file_no_secret_is_expected() {
    let home = TempDir::new("secret-none");
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(settings_with_secret(&home, None), &interpreter).await;
    let mut client = Client::tcp(address).await;
    interpreter.expect_connected().await;
    client.send("(:emacs-rex 1 nil t 1)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 1) 1)");
}

#[tokio::test]
async fn a_secret_file_created_later_applies_to_new_connections() {
    let home = TempDir::new("secret-later");
    let settings = settings_with_secret(&home, None);
    let path = settings.secret_file.clone().unwrap();
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(settings, &interpreter).await;
    std::fs::write(&path, b"late\n").unwrap();
    let mut client = Client::tcp(address).await;
    client.send("(:emacs-rex 1 nil t 1)").await;
    client.expect_closed().await;
    interpreter.expect_nothing(Duration::from_millis(100)).await;
}
