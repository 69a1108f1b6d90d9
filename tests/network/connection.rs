//! A real TCP listener and connection code, spoken to with literal Swank bytes.

use std::time::Duration;

use lexpr::Value;
use swankd::events::{EmacsMessage, ThreadSelector};
use swankd::server::ServerSettings;
use swankd::wire::value::list;

use crate::common::{Client, FakeInterpreter, Observed, emacs_frame, start_tcp, test_settings};

#[tokio::test]
async fn answers_a_request_with_utf8_byte_lengths_both_ways() {
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut client = Client::tcp(address).await;
    let connection = interpreter.expect_connected().await;

    let request = "(:emacs-rex \"héllo wörld ☃\" \"COMMON-LISP-USER\" t 1)\n";
    assert_eq!(request.len(), 0x38, "bytes, not the 52 characters");
    client.send_raw(b"000038").await;
    client.send_raw(request.as_bytes()).await;

    assert_eq!(
        interpreter.expect_message().await,
        EmacsMessage::Rex {
            form: Value::string("héllo wörld ☃"),
            package: Some("COMMON-LISP-USER".into()),
            thread: ThreadSelector::Any,
            id: 1,
        }
    );
    let mut raw = [0u8; 6];
    tokio::io::AsyncReadExt::read_exact(&mut client.stream, &mut raw)
        .await
        .unwrap();
    let reply = "(:return (:ok \"héllo wörld ☃\") 1)";
    assert_eq!(&raw, format!("{:06X}", reply.len()).as_bytes());
    assert_eq!(reply.len(), 0x25, "bytes, not the 33 characters");
    let mut payload = vec![0u8; reply.len()];
    tokio::io::AsyncReadExt::read_exact(&mut client.stream, &mut payload)
        .await
        .unwrap();
    assert_eq!(payload, reply.as_bytes());

    drop(client);
    interpreter.expect_disconnected(connection).await;
}

#[tokio::test]
async fn reassembles_frames_written_a_byte_at_a_time() {
    let interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut client = Client::tcp(address).await;
    for byte in emacs_frame("(:emacs-rex (swank:connection-info) \"ü\" t 7)") {
        client.send_raw(&[byte]).await;
        tokio::task::yield_now().await;
    }
    assert_eq!(
        client.read_reply().await,
        "(:return (:ok (swank:connection-info)) 7)"
    );
}

#[tokio::test]
async fn reads_two_frames_from_one_write() {
    let interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut client = Client::tcp(address).await;
    let mut both = emacs_frame("(:emacs-rex 'a nil t 1)");
    both.extend(emacs_frame("(:emacs-rex #'b nil :repl-thread 2)"));
    client.send_raw(&both).await;
    assert_eq!(client.read_reply().await, "(:return (:ok (quote a)) 1)");
    assert_eq!(client.read_reply().await, "(:return (:ok (function b)) 2)");
}

/// Sends `bytes`, expects the server to close the connection and report it exactly once.
async fn expect_closed_after(settings: ServerSettings, bytes: &[u8]) {
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(settings, &interpreter).await;
    let mut client = Client::tcp(address).await;
    let connection = interpreter.expect_connected().await;
    client.send_raw(bytes).await;
    client.expect_closed().await;
    interpreter.expect_disconnected(connection).await;
    interpreter.expect_nothing(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn closes_on_a_non_hex_header() {
    expect_closed_after(test_settings(), b"zzzzzz(:emacs-rex 1 nil t 1)").await;
}

#[tokio::test]
async fn closes_on_a_zero_length_frame() {
    expect_closed_after(test_settings(), b"000000").await;
}

#[tokio::test]
async fn closes_on_a_length_above_the_limit() {
    let settings = ServerSettings {
        max_frame_bytes: 1000,
        ..test_settings()
    };
    expect_closed_after(settings, b"0003e9").await;
}

#[tokio::test]
async fn closes_on_an_unknown_event_or_wrong_arity() {
    expect_closed_after(test_settings(), &emacs_frame("(:foo-bar 1 2)")).await;
    expect_closed_after(
        test_settings(),
        &emacs_frame("(:emacs-rex (cl:+ 1 2) \"CL-USER\" t)"),
    )
    .await;
    expect_closed_after(
        test_settings(),
        &emacs_frame("(:emacs-rex (cl:+ 1 2) \"CL-USER\" t \"1\")"),
    )
    .await;
}

#[tokio::test]
async fn answers_an_unreadable_payload_with_a_reader_error_and_keeps_going() {
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut client = Client::tcp(address).await;
    let connection = interpreter.expect_connected().await;

    client.send("(:emacs-rex #<foo> \"CL-USER\" t 1)").await;
    assert_eq!(
        client.read_reply().await,
        "(:reader-error \"(:emacs-rex #<foo> \\\"CL-USER\\\" t 1)\n\" \
         \"unsupported syntax `#<` at byte 12\")"
    );
    client.send("(:emacs-rex (cl:+ 1 2) \"CL-USER\" t 2").await;
    assert_eq!(
        client.read_reply().await,
        "(:reader-error \"(:emacs-rex (cl:+ 1 2) \\\"CL-USER\\\" t 2\n\" \
         \"end of input inside a datum\")"
    );

    client.send("(:emacs-rex (cl:+ 1 2) \"CL-USER\" t 3)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok (cl:+ 1 2)) 3)");
    assert!(matches!(
        interpreter.expect_message().await,
        EmacsMessage::Rex { id: 3, .. }
    ));
    drop(client);
    interpreter.expect_disconnected(connection).await;
}

#[tokio::test]
async fn one_connection_failing_leaves_others_and_the_listener_alone() {
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut first = Client::tcp(address).await;
    let first_id = interpreter.expect_connected().await;
    let mut second = Client::tcp(address).await;
    let second_id = interpreter.expect_connected().await;

    first.send_raw(b"zzzzzz").await;
    first.expect_closed().await;
    interpreter.expect_disconnected(first_id).await;

    second.send("(:emacs-rex 1 nil t 1)").await;
    assert_eq!(second.read_reply().await, "(:return (:ok 1) 1)");
    interpreter.expect_message().await;

    let mut third = Client::tcp(address).await;
    let third_id = interpreter.expect_connected().await;
    assert!(third_id > second_id && second_id > first_id);
    third.send("(:emacs-rex 2 nil t 1)").await;
    assert_eq!(third.read_reply().await, "(:return (:ok 2) 1)");
}

#[tokio::test]
async fn reports_the_peer_address_when_connected() {
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let client = Client::tcp(address).await;
    let local = client.stream.local_addr().unwrap();
    match interpreter.next().await {
        Observed::Connected { peer, .. } => assert_eq!(peer, local.to_string()),
        other => panic!("expected Connected, got {other:?}"),
    }
}

#[tokio::test]
async fn aborts_requests_beyond_the_pending_limit() {
    let mut interpreter = FakeInterpreter::silent();
    let settings = ServerSettings {
        max_pending_requests: 2,
        ..test_settings()
    };
    let (_server, address) = start_tcp(settings, &interpreter).await;
    let mut client = Client::tcp(address).await;
    interpreter.expect_connected().await;
    for id in 1..=4 {
        client.send(&format!("(:emacs-rex (f) nil t {id})")).await;
    }
    for id in 3..=4 {
        assert_eq!(
            client.read_reply().await,
            format!(
                "(:return (:abort \"too many pending requests on this connection (limit 2)\") {id})"
            )
        );
    }
    for expected in 1..=2 {
        match interpreter.expect_message().await {
            EmacsMessage::Rex { id, .. } => assert_eq!(id, expected),
            other => panic!("unexpected {other:?}"),
        }
    }
    interpreter.expect_nothing(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn a_finished_request_frees_its_pending_slot() {
    let interpreter = FakeInterpreter::echo();
    let settings = ServerSettings {
        max_pending_requests: 1,
        ..test_settings()
    };
    let (_server, address) = start_tcp(settings, &interpreter).await;
    let mut client = Client::tcp(address).await;
    for id in 1..=3 {
        client.send(&format!("(:emacs-rex {id} nil t {id})")).await;
        assert_eq!(
            client.read_reply().await,
            format!("(:return (:ok {id}) {id})")
        );
    }
}

#[tokio::test]
async fn splits_oversized_output_and_aborts_oversized_replies() {
    // Answers with the request's string four times over, as output and as the reply.
    let interpreter = FakeInterpreter::with_responder(Box::new(|outbox, message| {
        if let EmacsMessage::Rex { form, id, .. } = message {
            let text = Value::string(form.as_str().unwrap().repeat(4));
            let output = list(vec![Value::keyword("write-string"), text.clone()]);
            let _ = outbox.send(output);
            let _ = outbox.send(crate::common::ok_reply(text, *id));
        }
    }));
    let settings = ServerSettings {
        max_frame_bytes: 300,
        ..test_settings()
    };
    let (_server, address) = start_tcp(settings, &interpreter).await;
    let mut client = Client::tcp(address).await;
    let text = "ä\"".repeat(60);
    let escaped = text.replace('"', "\\\"");
    client
        .send(&format!("(:emacs-rex \"{escaped}\" nil t 5)"))
        .await;
    let mut received = String::new();
    loop {
        let payload = client.read_reply().await;
        assert!(payload.len() <= 300);
        if payload.starts_with("(:return") {
            let reply_bytes = format!("(:return (:ok \"{}\") 5)", escaped.repeat(4)).len();
            assert_eq!(
                payload,
                format!(
                    "(:return (:abort \"reply of {reply_bytes} bytes exceeds the frame limit\") 5)"
                )
            );
            break;
        }
        let inner = payload
            .strip_prefix("(:write-string \"")
            .and_then(|rest| rest.strip_suffix("\")"))
            .unwrap();
        received.push_str(&inner.replace("\\\"", "\""));
    }
    assert_eq!(received, text.repeat(4));
}

#[tokio::test]
async fn caps_connections_and_serves_waiting_clients_when_a_slot_frees() {
    let mut interpreter = FakeInterpreter::echo();
    let settings = ServerSettings {
        max_connections: 1,
        ..test_settings()
    };
    let (server, address) = start_tcp(settings, &interpreter).await;
    let first = Client::tcp(address).await;
    let first_id = interpreter.expect_connected().await;
    let mut second = Client::tcp(address).await;
    second.send("(:emacs-rex 1 nil t 1)").await;
    second.expect_silence(Duration::from_millis(200)).await;
    assert_eq!(server.connection_count(), 1);

    drop(first);
    interpreter.expect_disconnected(first_id).await;
    assert_eq!(second.read_reply().await, "(:return (:ok 1) 1)");
}

#[tokio::test]
async fn stopping_a_listener_keeps_its_connections() {
    let mut interpreter = FakeInterpreter::echo();
    let (server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut client = Client::tcp(address).await;
    interpreter.expect_connected().await;
    assert!(server.stop_tcp_port(address.port()).await);
    assert!(!server.stop_tcp_port(address.port()).await);
    assert!(server.addresses().is_empty());
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
    client.send("(:emacs-rex 1 nil t 1)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 1) 1)");
}

#[tokio::test]
async fn shutdown_closes_every_connection_and_reports_each_once() {
    let mut interpreter = FakeInterpreter::echo();
    let (server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut first = Client::tcp(address).await;
    let first_id = interpreter.expect_connected().await;
    let mut second = Client::tcp(address).await;
    let second_id = interpreter.expect_connected().await;

    server.shutdown().await;
    first.expect_closed().await;
    second.expect_closed().await;
    let mut disconnected = Vec::new();
    for _ in 0..2 {
        match interpreter.next().await {
            Observed::Disconnected { connection } => disconnected.push(connection),
            other => panic!("expected Disconnected, got {other:?}"),
        }
    }
    disconnected.sort();
    assert_eq!(disconnected, vec![first_id, second_id]);
    interpreter.expect_nothing(Duration::from_millis(100)).await;
    assert_eq!(server.connection_count(), 0);
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
    assert!(
        server
            .listen_tcp("127.0.0.1:0".parse().unwrap())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn ignores_channel_sends_without_closing() {
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut client = Client::tcp(address).await;
    interpreter.expect_connected().await;
    client.send("(:emacs-channel-send 1 (:prompt))").await;
    client.send("(:emacs-rex 1 nil t 1)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 1) 1)");
}

#[tokio::test]
async fn decodes_invalid_utf8_with_replacement_characters() {
    let mut interpreter = FakeInterpreter::echo();
    let (_server, address) = start_tcp(test_settings(), &interpreter).await;
    let mut client = Client::tcp(address).await;
    interpreter.expect_connected().await;
    let mut payload = b"(:emacs-rex \"a".to_vec();
    payload.extend_from_slice(&[0xff, 0xfe]);
    payload.extend_from_slice(b"b\" nil t 1)\n");
    let mut frame = format!("{:06x}", payload.len()).into_bytes();
    frame.extend_from_slice(&payload);
    client.send_raw(&frame).await;
    match interpreter.expect_message().await {
        EmacsMessage::Rex { form, .. } => assert_eq!(form, Value::string("a\u{fffd}\u{fffd}b")),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        client.read_reply().await,
        "(:return (:ok \"a\u{fffd}\u{fffd}b\") 1)"
    );
}

#[tokio::test]
async fn quotes_a_long_unreadable_packet_within_a_small_frame_limit() {
    let interpreter = FakeInterpreter::echo();
    let settings = ServerSettings {
        max_frame_bytes: 256,
        ..test_settings()
    };
    let (_server, address) = start_tcp(settings, &interpreter).await;
    let mut client = Client::tcp(address).await;
    client
        .send(&format!(
            "(:emacs-rex \"{}\" #<x> nil t 1)",
            "\\\"".repeat(50)
        ))
        .await;
    let reply = client.read_reply().await;
    assert!(reply.starts_with("(:reader-error \""), "{reply}");
    client.send("(:emacs-rex 1 nil t 2)").await;
    assert_eq!(client.read_reply().await, "(:return (:ok 1) 2)");
}
