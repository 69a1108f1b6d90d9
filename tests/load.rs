//! Load against the daemon binary while its program ticks: many connections each send many
//! requests back to back, and every request is answered exactly once, with its own id and
//! its own value; nothing is lost and the loop keeps ticking.
//!
//! The default (20 connections x 200 requests) keeps the test command quick. The issue's
//! figure is `SWANKD_LOAD_CONNECTIONS=200 SWANKD_LOAD_REQUESTS=1000 cargo test --release
//! --test load -- --nocapture`, which also prints the rate and how far the ticks kept up.

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{Scratch, start_swankd};

/// Bounds every read: a lost reply fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(60);
/// The program's tick period.
const TICK_MS: u64 = 10;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

fn frame(payload: &str) -> Vec<u8> {
    let mut bytes = format!("{:06x}", payload.len()).into_bytes();
    bytes.extend_from_slice(payload.as_bytes());
    bytes
}

fn read_message(stream: &mut TcpStream) -> String {
    let mut header = [0u8; 6];
    stream.read_exact(&mut header).expect("a reply header");
    let length = usize::from_str_radix(std::str::from_utf8(&header).expect("ascii"), 16)
        .expect("hex header");
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload).expect("a reply payload");
    String::from_utf8(payload).expect("utf-8")
}

/// `(:return (:ok VALUE) ID)` → (VALUE, ID).
fn parse_return(reply: &str) -> Option<(i64, i64)> {
    let rest = reply.strip_prefix("(:return (:ok ")?.strip_suffix(')')?;
    let (value, id) = rest.split_once(") ")?;
    Some((value.parse().ok()?, id.parse().ok()?))
}

/// One connection: sends `requests` requests without waiting, then checks the replies.
/// Request `id` computes `(+ id salt)`, so a reply carrying another request's value shows.
fn client(port: u16, salt: i64, requests: i64) -> Result<(), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(PATIENCE))
        .map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let sender = std::thread::spawn(move || {
        let mut burst = Vec::new();
        for id in 1..=requests {
            burst.extend(frame(&format!(
                "(:emacs-rex (cl:+ {id} {salt}) \"COMMON-LISP-USER\" t {id})\n"
            )));
        }
        writer.write_all(&burst)
    });
    let mut answered: HashMap<i64, i64> = HashMap::new();
    while answered.len() < usize::try_from(requests).unwrap_or(0) {
        let reply = read_message(&mut stream);
        let (value, id) =
            parse_return(&reply).ok_or_else(|| format!("unexpected message {reply}"))?;
        if value != id + salt {
            return Err(format!("request {id} got the value {value}"));
        }
        if answered.insert(id, value).is_some() {
            return Err(format!("request {id} was answered twice"));
        }
    }
    sender
        .join()
        .map_err(|_| "the sender panicked".to_string())?
        .map_err(|e| e.to_string())?;
    // Nothing more may come: a final request's reply is the very next message.
    stream
        .write_all(&frame(&format!(
            "(:emacs-rex (cl:+ 0 {salt}) \"COMMON-LISP-USER\" t 0)\n"
        )))
        .map_err(|e| e.to_string())?;
    match parse_return(&read_message(&mut stream)) {
        Some((value, 0)) if value == salt => Ok(()),
        other => Err(format!("after all replies, got {other:?}")),
    }
}

fn ticks(port: u16) -> i64 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream
        .write_all(&frame(
            "(:emacs-rex (cl:symbol-value 'cl-user::*ticks*) \"COMMON-LISP-USER\" t 1)\n",
        ))
        .expect("send");
    parse_return(&read_message(&mut stream))
        .map(|(value, _)| value)
        .expect("ticks")
}

#[test]
fn every_request_of_many_connections_is_answered_once_while_the_program_ticks() {
    let connections = setting("SWANKD_LOAD_CONNECTIONS", 20);
    let requests = i64::try_from(setting("SWANKD_LOAD_REQUESTS", 200)).unwrap_or(200);
    let scratch = Scratch::new("load");
    let program = scratch.join("tick.lisp");
    std::fs::write(
        &program,
        format!(
            "(defvar *ticks* 0)\n(loop (incf *ticks*) (sleep {}))\n",
            TICK_MS as f64 / 1000.0
        ),
    )
    .expect("write the program");
    let (mut daemon, port) = start_swankd(&scratch, &[program.to_str().expect("utf-8 path")]);
    let ticks_before = ticks(port);
    let started = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|index| {
            let salt = i64::try_from(index).unwrap_or(0) * 1_000_000;
            std::thread::spawn(move || client(port, salt, requests))
        })
        .collect();
    let failures: Vec<String> = clients
        .into_iter()
        .enumerate()
        .filter_map(|(index, handle)| match handle.join() {
            Ok(Ok(())) => None,
            Ok(Err(error)) => Some(format!("connection {index}: {error}")),
            Err(_) => Some(format!("connection {index}: panicked")),
        })
        .collect();
    let elapsed = started.elapsed();
    daemon.assert_alive();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let ticked = ticks(port) - ticks_before;
    let total = connections as f64 * requests as f64;
    let expected_ticks = elapsed.as_millis() as f64 / TICK_MS as f64;
    eprintln!(
        "load: {connections} connections x {requests} requests in {:.2} s ({:.0} requests/s); \
         the program ticked {ticked} times of about {expected_ticks:.0} at its period",
        elapsed.as_secs_f64(),
        total / elapsed.as_secs_f64()
    );
    let later = ticks(port);
    let deadline = Instant::now() + PATIENCE;
    while ticks(port) <= later {
        assert!(Instant::now() < deadline, "the program stopped ticking");
        std::thread::sleep(Duration::from_millis(20));
    }
}
