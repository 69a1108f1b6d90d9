//! Lisp programs serving TCP under swankd (usocket), tested from outside with real
//! clients: what swankd promises beyond the echo programs of `tests/programs/` (which SBCL
//! checks too): limits, bad clients, the remote-address policy, and the collector closing
//! abandoned sockets. Every wait is bounded; nothing is timed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

/// How long any one read from swankd or a client may take before the test fails.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A swankd process, killed when dropped.
struct Daemon {
    child: Child,
    output: Option<BufReader<ChildStdout>>,
    _dir: TempDir,
}

impl Daemon {
    /// Runs `program` (Lisp text) with `swankd --no-tcp` and extra options.
    fn start(program: &str, options: &[&str]) -> Daemon {
        let dir = TempDir::new();
        let file = dir.0.join("program.lisp");
        std::fs::write(&file, program).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_swankd"))
            .arg("--no-tcp")
            .args(options)
            .args(["--log-level", "warn"])
            .arg(&file)
            .current_dir(&dir.0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let output = child.stdout.take().map(BufReader::new);
        Daemon {
            child,
            output,
            _dir: dir,
        }
    }

    /// The program's next line of output.
    fn line(&mut self) -> String {
        let mut line = String::new();
        self.output.as_mut().unwrap().read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "swankd ended its output early");
        line.trim_end().to_string()
    }

    /// Reads `port N` from the program.
    fn port(&mut self) -> u16 {
        let line = self.line();
        line.strip_prefix("port ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("expected `port N`, got {line:?}"))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "swankd-sockets-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How long a whole program may run.
const PROGRAM_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs a program to completion and returns what it printed.
fn output_of(program: &str, options: &[&str]) -> String {
    let mut daemon = Daemon::start(&format!("{program}\n(swank:quit-lisp)\n"), options);
    let mut output = daemon.output.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = output.read_to_string(&mut text);
        let _ = sender.send(text);
    });
    receiver
        .recv_timeout(PROGRAM_TIMEOUT)
        .unwrap_or_else(|_| panic!("the program did not finish within {PROGRAM_TIMEOUT:?}"))
}

fn client(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    stream
}

/// Sends a line and reads the one line that answers it.
fn ask(stream: &mut TcpStream, line: &[u8]) -> String {
    stream.write_all(line).unwrap();
    stream.write_all(b"\n").unwrap();
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(1) if byte[0] == b'\n' => break,
            Ok(1) => reply.push(byte[0]),
            other => panic!("no reply to {:?}: {other:?}", String::from_utf8_lossy(line)),
        }
    }
    String::from_utf8_lossy(&reply).into_owned()
}

/// True once the peer has closed the connection (bounded by the read timeout).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(error) => {
                return matches!(
                    error.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                );
            }
        }
    }
}

/// An echo server handling each client in its own thread; "fail" makes the handler fail.
const ECHO_SERVER: &str = r#"
(require :usocket)
(require :bordeaux-threads)
(defun reply (line)
  (if (string= line "fail") (error "asked to fail") (format nil "echo: ~a" line)))
(defun handle (connection)
  (unwind-protect
       (let ((stream (usocket:socket-stream connection)))
         (loop for line = (read-line stream nil)
               while line
               do (write-line (reply line) stream)
                  (force-output stream)))
    (usocket:socket-close connection)))
(let ((listener (usocket:socket-listen "127.0.0.1" 0 :reuse-address t)))
  (format t "port ~a~%" (usocket:get-local-port listener))
  (loop (let ((connection (usocket:socket-accept listener)))
          (bt:make-thread (lambda () (handle connection)) :name "echo client"))))
"#;

#[test]
fn bad_clients_cost_only_their_own_connections() {
    let mut daemon = Daemon::start(
        ECHO_SERVER,
        &["--orphan-errors", "abort", "--socket-buffer-bytes", "65536"],
    );
    let port = daemon.port();
    let mut good = client(port);
    assert_eq!(ask(&mut good, b"hello"), "echo: hello");

    let _silent = client(port);
    let mut garbage = client(port);
    assert_eq!(
        ask(&mut garbage, b"\xff\xfe ok"),
        "echo: \u{fffd}\u{fffd} ok"
    );

    let mut flood = client(port);
    let mut flood_writer = flood.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..64 {
            if flood_writer.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    assert!(
        closed_by_server(&mut flood),
        "a line longer than the buffer must end that client's connection"
    );
    let _ = writer.join();

    let mut failing = client(port);
    failing.write_all(b"fail\n").unwrap();
    assert!(
        closed_by_server(&mut failing),
        "a failing handler's connection is closed by its unwind-protect"
    );

    assert_eq!(ask(&mut good, b"still here"), "echo: still here");
    assert_eq!(ask(&mut garbage, b"me too"), "echo: me too");
    let mut late = client(port);
    assert_eq!(ask(&mut late, b"new client"), "echo: new client");
}

#[test]
fn abandoned_sockets_are_closed_when_collected() {
    let output = output_of(
        r#"
(require :usocket)
(defvar *listener* (usocket:socket-listen "127.0.0.1" 0))
(defun abandon ()
  (usocket:socket-connect "127.0.0.1" (usocket:get-local-port *listener*))
  nil)
(abandon)
(defvar *server* (usocket:socket-accept *listener*))
(swankd:gc)
(format t "~s~%" (read-line (usocket:socket-stream *server*) nil :closed))
"#,
        &[],
    );
    assert_eq!(output, ":CLOSED\n");
}

#[test]
fn the_socket_limit_is_an_error_and_clients_wait_to_be_accepted() {
    let output = output_of(
        r#"
(require :usocket)
(let* ((listener (usocket:socket-listen "127.0.0.1" 0))
       (port (usocket:get-local-port listener))
       (first (usocket:socket-connect "127.0.0.1" port)))
  (handler-case (usocket:socket-connect "127.0.0.1" port)
    (usocket:socket-error (condition) (format t "~a~%" condition)))
  (usocket:socket-close first)
  (format t "accepted: ~a~%" (typep (usocket:socket-accept listener) 'usocket:stream-usocket)))
"#,
        &["--max-program-sockets", "2"],
    );
    assert_eq!(
        output,
        "too many open sockets: the limit is 2 (--max-program-sockets)\naccepted: T\n"
    );
}

#[test]
fn listening_beyond_loopback_needs_allow_remote() {
    let output = output_of(
        r#"
(require :usocket)
(dolist (host (list "0.0.0.0" usocket:*wildcard-host* "::"))
  (handler-case (progn (usocket:socket-listen host 0) (format t "listening~%"))
    (usocket:socket-error (condition) (format t "~a~%" condition))))
(usocket:socket-close (usocket:socket-listen "localhost" 0))
(format t "loopback is fine~%")
"#,
        &[],
    );
    let refused = "refusing to listen on the non-loopback address";
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 4, "{output}");
    for line in &lines[..3] {
        assert!(
            line.starts_with(refused) && line.contains("--allow-remote"),
            "{line}"
        );
    }
    assert_eq!(lines[3], "loopback is fine");
}

mod websockets {
    use super::*;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::{Message, WebSocket};

    type Client = WebSocket<TcpStream>;

    /// Runs an example WebSocket service on free ports; returns it and its URL.
    fn start_example(example: &str, port: &str, options: &[&str]) -> (Daemon, String) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(
            source.contains(&format!(":port {port} ")),
            "{example} has no port {port}"
        );
        let program = source
            .replace(&format!(":port {port} "), ":port 0 ")
            .replace(":port 4006", ":port 0")
            .replace(":port 4007", ":port 0");
        let mut daemon = Daemon::start(&program, options);
        let line = daemon.line();
        let url = line
            .strip_prefix("websocket echo on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        (daemon, url)
    }

    fn connect(url: &str) -> Client {
        let address = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        tokio_tungstenite::tungstenite::client::client(url, stream)
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"))
            .0
    }

    fn ask(client: &mut Client, text: &str) -> String {
        client.send(Message::text(text)).unwrap();
        match client.read().unwrap() {
            Message::Text(reply) => reply.to_string(),
            other => panic!("{text:?} got {other:?}"),
        }
    }

    /// The close code the server answers a closing handshake with, or sends first.
    fn close_code(client: &mut Client) -> u16 {
        loop {
            match client.read() {
                Ok(Message::Close(Some(frame))) => return u16::from(frame.code),
                Ok(Message::Close(None)) => return 1005,
                Ok(_) => continue,
                Err(error) => panic!("no closing handshake: {error}"),
            }
        }
    }

    #[test]
    fn the_echo_demo_has_one_mode_for_every_client() {
        let (_daemon, url) = start_example("examples/websocket-echo.lisp", "8080", &[]);
        let (mut first, mut second) = (connect(&url), connect(&url));
        assert_eq!(ask(&mut first, "hello"), "hello");
        assert_eq!(ask(&mut first, "add"), "mode: add");
        assert_eq!(ask(&mut second, "x"), "x ...added...");
        assert_eq!(ask(&mut second, "none"), "mode: none");
        assert_eq!(ask(&mut first, "y"), "y");
        first.send(Message::binary(vec![1u8, 2, 255])).unwrap();
        assert_eq!(first.read().unwrap(), Message::binary(vec![1u8, 2, 255]));
        first
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::from(4000),
                reason: "bye".into(),
            }))
            .unwrap();
        assert_eq!(close_code(&mut first), 4000);
        assert_eq!(ask(&mut second, "still here"), "still here");
        let elsewhere = url.replace("/echo", "/nowhere");
        let stream =
            TcpStream::connect(url.trim_start_matches("ws://").split('/').next().unwrap()).unwrap();
        let refused = tokio_tungstenite::tungstenite::client::client(elsewhere.as_str(), stream);
        assert!(
            matches!(&refused, Err(tokio_tungstenite::tungstenite::HandshakeError::Failure(
                tokio_tungstenite::tungstenite::Error::Http(response)
            )) if response.status() == 404),
            "another path must be refused with 404: {:?}",
            refused.map(|_| ())
        );
    }

    /// The page the browser runs: the echo demo's script, then a report on the console.
    const PAGE: &str = r#"<!doctype html>
<title>echo demo</title>
<script>
  const script = ["hello", "add", "x", "none", "y"];
  const replies = [];
  const socket = new WebSocket("URL");
  socket.onopen = () => socket.send(script[0]);
  socket.onmessage = (event) => {
    replies.push(event.data);
    if (replies.length < script.length) socket.send(script[replies.length]);
    else socket.close(4000, "bye");
  };
  socket.onclose = (event) => console.log("echo-demo: " + JSON.stringify(replies) + " " + event.code);
  socket.onerror = () => console.log("echo-demo: error");
</script>
"#;

    /// The headless Chromium to run: `$SWANKD_TEST_CHROMIUM`, else Debian's
    /// `chromium-headless-shell`.
    fn chromium_program() -> String {
        std::env::var("SWANKD_TEST_CHROMIUM")
            .ok()
            .filter(|program| !program.is_empty())
            .unwrap_or_else(|| "chromium-headless-shell".to_string())
    }

    /// Runs `page` (with `URL` replaced by `url`) in headless Chromium and returns the
    /// line it logs on the console starting with `report`.
    fn run_in_browser(page: &str, url: &str, report: &str) -> String {
        let program = chromium_program();
        if let Err(error) = Command::new(&program).arg("--version").output() {
            panic!(
                "cannot run {program} ({error}): this test needs a headless Chromium \
                 (scripts/test installs Debian's chromium-headless-shell)"
            );
        }
        let dir = TempDir::new();
        let file = dir.0.join("page.html");
        std::fs::write(&file, page.replace("URL", url)).unwrap();
        let mut browser = Command::new(&program)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.0.join("profile").display()
            ))
            .arg(format!("file://{}", file.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = browser.stderr.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let report = report.to_string();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find(&report) {
                    let _ = sender.send(line[at..].to_string());
                    return;
                }
            }
        });
        let logged = receiver.recv_timeout(PROGRAM_TIMEOUT);
        let _ = browser.kill();
        let _ = browser.wait();
        logged.unwrap_or_else(|_| panic!("the browser reported nothing"))
    }

    #[test]
    fn a_browser_talks_to_the_echo_demo() {
        let (_daemon, url) = start_example("examples/websocket-echo.lisp", "8080", &[]);
        let report = run_in_browser(PAGE, &url, "echo-demo: ");
        assert!(
            report.starts_with(
                r#"echo-demo: ["hello","mode: add","x ...added...","mode: none","y"] 4000"#
            ),
            "{report}"
        );
    }

    /// Two connections of one page to the per-client demo; the second asks how many
    /// clients have a mode until the first one's ON-CLOSE has run.
    const CLIENTS_PAGE: &str = r#"<!doctype html>
<title>per-client demo</title>
<script>
  const log = [];
  const first = new WebSocket("URL");
  const second = new WebSocket("URL");
  const ask = (socket, text) => new Promise((resolve) => {
    socket.onmessage = (event) => resolve(event.data);
    socket.send(text);
  });
  const opened = (socket) => new Promise((resolve) => { socket.onopen = resolve; });
  (async () => {
    await opened(first);
    await opened(second);
    log.push(await ask(first, "add"));
    log.push(await ask(first, "a"));
    log.push(await ask(second, "b"));
    log.push(await ask(second, "clients"));
    first.close();
    let count = "";
    for (let i = 0; i < 1000 && count !== "clients: 1"; i++) {
      count = await ask(second, "clients");
    }
    log.push(count);
    console.log("clients-demo: " + JSON.stringify(log));
  })();
</script>
"#;

    #[test]
    fn a_browser_keeps_a_mode_per_connection() {
        let (_daemon, url) = start_example("examples/websocket-clients.lisp", "8081", &[]);
        let report = run_in_browser(CLIENTS_PAGE, &url, "clients-demo: ");
        assert!(
            report.starts_with(
                r#"clients-demo: ["mode: add","a ...added...","b","clients: 2","clients: 1"]"#
            ),
            "{report}"
        );
    }

    #[test]
    fn per_client_modes_are_dropped_when_clients_close() {
        let (_daemon, url) = start_example("examples/websocket-clients.lisp", "8081", &[]);
        let (mut first, mut second) = (connect(&url), connect(&url));
        assert_eq!(ask(&mut first, "add"), "mode: add");
        assert_eq!(ask(&mut first, "a"), "a ...added...");
        assert_eq!(ask(&mut second, "b"), "b");
        assert_eq!(ask(&mut second, "clients"), "clients: 2");
        first.close(None).unwrap();
        close_code(&mut first);
        // ON-CLOSE runs in the first client's thread after the closing handshake: ask
        // until it has (a bounded number of round trips).
        let counted = (0..1000).find_map(|_| {
            let answer = ask(&mut second, "clients");
            if answer == "clients: 1" {
                Some(answer)
            } else {
                std::thread::sleep(Duration::from_millis(10));
                None
            }
        });
        assert_eq!(counted.as_deref(), Some("clients: 1"));
    }

    #[test]
    fn a_message_larger_than_the_buffer_closes_only_its_connection() {
        let (_daemon, url) = start_example(
            "examples/websocket-echo.lisp",
            "8080",
            &["--socket-buffer-bytes", "4096"],
        );
        let (mut big, mut small) = (connect(&url), connect(&url));
        big.send(Message::text("x".repeat(10_000))).unwrap();
        assert_eq!(close_code(&mut big), 1009);
        assert_eq!(ask(&mut small, "fine"), "fine");
    }

    #[test]
    fn the_lisp_client_talks_to_an_endpoint_whose_handler_is_redefined() {
        let output = output_of(
            r#"
(defun on-message (socket message) (ws:send socket message))
(defvar *endpoint* (ws:publish-websocket "/echo" :on-message 'on-message))
(defvar *lock* (bt:make-lock))
(defvar *arrived* (bt:make-condition-variable))
(defvar *received* nil)
(defun got (socket message)
  (declare (ignore socket))
  (bt:with-lock-held (*lock*) (push message *received*) (bt:condition-notify *arrived*)))
(defun closed (socket code reason)
  (got socket (format nil "closed ~a ~a" code reason)))
(defun wait-for (n)
  (bt:with-lock-held (*lock*)
    (loop until (>= (length *received*) n) do (bt:condition-wait *arrived* *lock*))))
(let ((client (ws:open-websocket
               (format nil "ws://127.0.0.1:~a/echo" (ws:endpoint-port *endpoint*))
               :on-message 'got :on-close 'closed)))
  (ws:send client "one")
  (wait-for 1)
  (defun on-message (socket message)
    (ws:send socket (if (stringp message) (string-upcase message) message)))
  (ws:send client "two")
  (wait-for 2)
  (ws:send client (vector 7 8 9))
  (wait-for 3)
  (ws:close-websocket client :code 4001 :reason "done")
  (wait-for 4)
  (format t "~{~s~%~}" (reverse *received*)))
(ws:stop-websocket *endpoint*)
(handler-case (ws:open-websocket
               (format nil "ws://127.0.0.1:~a/echo" (ws:endpoint-port *endpoint*)))
  (usocket:socket-error (condition) (format t "~a~%" (type-of condition))))
"#,
            &[],
        );
        assert_eq!(
            output,
            "\"one\"\n\"TWO\"\n#(7 8 9)\n\"closed 4001 done\"\nCONNECTION-REFUSED-ERROR\n"
        );
    }
}

#[test]
fn read_char_no_hang_sees_a_sockets_end_of_file() {
    let output = output_of(
        r#"
(require :usocket)
(let* ((listener (usocket:socket-listen "127.0.0.1" 0))
       (client (usocket:socket-connect "127.0.0.1" (usocket:get-local-port listener)))
       (server (usocket:socket-stream (usocket:socket-accept listener))))
  (format t "nothing yet: ~s~%" (read-char-no-hang server nil :eof))
  (write-string "ab" (usocket:socket-stream client))
  (usocket:socket-close client)
  (format t "~s ~s~%" (read-char server) (read-char-no-hang server nil :eof))
  (format t "peeked: ~s~%" (peek-char nil server nil :eof))
  (format t "at the end: ~s ~s~%"
          (read-char-no-hang server nil :eof)
          (handler-case (read-char-no-hang server) (end-of-file () :end-of-file))))
"#,
        &[],
    );
    assert_eq!(
        output,
        "nothing yet: NIL\n#\\a #\\b\npeeked: :EOF\nat the end: :EOF :END-OF-FILE\n"
    );
}
