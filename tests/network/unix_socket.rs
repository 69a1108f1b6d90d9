//! Unix-socket listeners: same connection code, careful socket files.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};

use swankd::server::{ListenerAddress, ServerError, ServerHandle, UnixBindError};
use tokio::net::UnixStream;

use crate::common::{Client, FakeInterpreter, TempDir, test_settings};

#[tokio::test]
async fn serves_over_a_mode_0600_socket_and_removes_it_when_stopped() {
    let directory = TempDir::new("unix-serve");
    let path = directory.join("swank.sock");
    let mut interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    let address = server.listen_unix(&path).unwrap();
    assert_eq!(address, ListenerAddress::Unix(path.clone()));
    assert_eq!(address.to_string(), format!("unix:{}", path.display()));

    let metadata = std::fs::symlink_metadata(&path).unwrap();
    assert!(metadata.file_type().is_socket());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(directory.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "the private bind directory is gone");

    let mut client = Client {
        stream: UnixStream::connect(&path).await.unwrap(),
    };
    let connection = interpreter.expect_connected().await;
    client.send("(:emacs-rex \"☃\" nil t 1)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok \"☃\") 1)");

    assert!(server.stop_listener(&address).await);
    assert!(!path.exists());
    client.send("(:emacs-rex 2 nil t 2)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 2) 2)");
    interpreter.expect_message().await;
    interpreter.expect_message().await;
    drop(client);
    interpreter.expect_disconnected(connection).await;
}

#[tokio::test]
async fn replaces_a_stale_socket_file() {
    let directory = TempDir::new("unix-stale");
    let path = directory.join("swank.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    server.listen_unix(&path).unwrap();
    let mut client = Client {
        stream: UnixStream::connect(&path).await.unwrap(),
    };
    client.send("(:emacs-rex 1 nil t 1)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 1) 1)");
    server.shutdown().await;
    assert!(!path.exists());
}

#[tokio::test]
async fn refuses_a_socket_someone_listens_on() {
    let directory = TempDir::new("unix-live");
    let path = directory.join("swank.sock");
    let _live = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    let error = server.listen_unix(&path).unwrap_err();
    assert!(
        matches!(error, ServerError::UnixBind(UnixBindError::InUse { .. })),
        "{error}"
    );
    assert!(path.exists());
}

#[tokio::test]
async fn refuses_to_replace_a_regular_file_or_a_directory() {
    let directory = TempDir::new("unix-file");
    let file = directory.join("precious.txt");
    std::fs::write(&file, b"keep me").unwrap();
    let interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    let error = server.listen_unix(&file).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is a regular file, not a socket"),
        "{error}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");

    let error = server.listen_unix(directory.path()).unwrap_err();
    assert!(error.to_string().contains("is a directory"), "{error}");
}

#[tokio::test]
async fn leaves_a_socket_file_that_is_no_longer_its_own() {
    let directory = TempDir::new("unix-replaced");
    let path = directory.join("swank.sock");
    let interpreter = FakeInterpreter::echo();
    let server = ServerHandle::new(test_settings(), interpreter.sender.clone());
    server.listen_unix(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, b"someone else's").unwrap();
    server.shutdown().await;
    assert_eq!(std::fs::read(&path).unwrap(), b"someone else's");
}
