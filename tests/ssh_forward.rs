//! docs/REMOTE.md with real OpenSSH on loopback: swankd listens only on a Unix
//! socket, `ssh -N -L` forwards it to a local socket file, and Emacs connects to that
//! file with `slime-connect-unix` (elisp/swankd.el) and reads the program's counter.
//! Then the tunnel dies: swankd and its program go on running, and a new tunnel and a
//! new Emacs connection find the counter further on, where the user left off.
//!
//! Needs /usr/sbin/sshd and ssh (Debian's openssh-server and openssh-client), Emacs and
//! SLIME; scripts/test installs them. Runs sshd as the current user (root in CI).

mod service;

use service::{
    PATIENCE, Process, TempDir, free_port, read_lossy, require_program, wait_for, write,
};
use std::fs::File;
use std::net::TcpStream;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const SSHD: &str = "/usr/sbin/sshd";
const SSH: &str = "/usr/bin/ssh";

/// The program swankd keeps running: a counter that grows by itself.
const PROGRAM: &str = "(defvar *n* 0)\n(loop (sleep 0.05) (incf *n*))\n";

fn current_user() -> String {
    let output = Command::new("id").arg("-un").output().unwrap();
    assert!(output.status.success(), "id -un failed");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen (openssh-client) not found");
    assert!(status.success(), "ssh-keygen -f {path:?} failed");
}

/// sshd on 127.0.0.1:port, accepting the user key generated in `dir`.
fn start_sshd(dir: &TempDir, port: u16) -> Process {
    keygen(&dir.join("host_key"));
    keygen(&dir.join("user_key"));
    std::fs::copy(dir.join("user_key.pub"), dir.join("authorized_keys")).unwrap();
    let config = dir.join("sshd_config");
    write(
        &config,
        &format!(
            "Port {port}\n\
             ListenAddress 127.0.0.1\n\
             HostKey {host_key}\n\
             AuthorizedKeysFile {authorized_keys}\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\n\
             StrictModes no\n\
             UsePAM no\n\
             PidFile {pid_file}\n\
             AllowStreamLocalForwarding yes\n",
            host_key = dir.join("host_key").display(),
            authorized_keys = dir.join("authorized_keys").display(),
            pid_file = dir.join("sshd.pid").display(),
        ),
    );
    // The privilege separation directory, which sshd insists on.
    std::fs::create_dir_all("/run/sshd").expect("cannot create /run/sshd");
    let log = File::create(dir.join("sshd.log")).unwrap();
    let mut sshd = Process::spawn(
        "sshd",
        Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    );
    wait_for("sshd to listen", || {
        if !sshd.is_running() {
            panic!("sshd exited: {}", read_lossy(&dir.join("sshd.log")));
        }
        TcpStream::connect(("127.0.0.1", port))
            .map(drop)
            .map_err(|error| error.to_string())
    });
    sshd
}

/// Identity of the socket file at `path`, if there is one: its inode and change time
/// (a file created in the place of a removed one may get the same inode number).
fn socket_inode(path: &Path) -> Option<(u64, i64, i64)> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    let identity = (metadata.ino(), metadata.ctime(), metadata.ctime_nsec());
    metadata.file_type().is_socket().then_some(identity)
}

/// `ssh -N -L local:remote`, as docs/REMOTE.md says to run it for every tunnel; returns
/// once ssh has (re)created the local socket file.
fn start_tunnel(dir: &TempDir, port: u16, user: &str, log_name: &str) -> Process {
    let local = dir.join("local.sock");
    let stale = socket_inode(&local);
    let log = File::create(dir.join(log_name)).unwrap();
    let mut ssh = Process::spawn(
        "ssh",
        Command::new(SSH)
            .env("HOME", dir.path())
            .args([
                "-N",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "StreamLocalBindUnlink=yes",
                "-o",
                "ExitOnForwardFailure=yes",
                "-i",
            ])
            .arg(dir.join("user_key"))
            .args(["-p", &port.to_string(), "-L"])
            .arg(format!(
                "{}:{}",
                local.display(),
                dir.join("remote.sock").display()
            ))
            .arg(format!("{user}@127.0.0.1"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log),
    );
    wait_for("ssh to create the local socket", || {
        if !ssh.is_running() {
            panic!(
                "ssh exited: {}\nsshd's log:\n{}",
                read_lossy(&dir.join(log_name)),
                read_lossy(&dir.join("sshd.log"))
            );
        }
        match socket_inode(&local) {
            Some(inode) if Some(inode) != stale => Ok(()),
            Some(_) => Err("only the previous tunnel's socket file is there".into()),
            None => Err("no socket file yet".into()),
        }
    });
    ssh
}

/// Runs `emacs -Q --batch` with SLIME and elisp/swankd.el, connects with
/// `slime-connect-unix` to `dir/local.sock` and returns `cl-user::*n*` as Emacs got it.
fn counter_through_emacs(dir: &TempDir, run: &str) -> i64 {
    let elisp_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("elisp");
    let script = dir.join(&format!("{run}.el"));
    write(
        &script,
        &format!(
            r#";;; -*- lexical-binding: t -*-
(require 'cl-lib)
(let ((dir (or (getenv "SLIME_DIR")
               (car (last (sort (cl-remove-if-not
                                 (lambda (dir) (file-exists-p (expand-file-name "slime.el" dir)))
                                 (append (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/slime-*")
                                         (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa-src/slime-*")))
                                #'string<))))))
  (unless dir (error "SLIME not found: apt-get install slime"))
  (add-to-list 'load-path dir)
  (add-to-list 'load-path (expand-file-name "contrib" dir)))
(add-to-list 'load-path {elisp_dir:?})
(require 'slime)
(require 'swankd)
(setq slime-repl-history-file {history:?})
(slime-setup '(slime-repl))
(run-at-time 40 nil (lambda () (message "FAIL: overall time limit") (kill-emacs 3)))
(defvar swankd-test-connected nil)
(add-hook 'slime-connected-hook (lambda () (setq swankd-test-connected t)))
(slime-connect-unix {socket:?})
(let ((deadline (+ (float-time) {patience})))
  (while (and (not swankd-test-connected) (< (float-time) deadline))
    (accept-process-output nil 0.05)))
(unless swankd-test-connected
  (message "FAIL: not connected within {patience} s")
  (kill-emacs 2))
(princ (format "N=%S\n" (slime-eval '(cl:symbol-value 'cl-user::*n*))))
(kill-emacs 0)
"#,
            elisp_dir = elisp_dir.display().to_string(),
            history = dir
                .join(&format!("{run}-history.eld"))
                .display()
                .to_string(),
            socket = dir.join("local.sock").display().to_string(),
            patience = PATIENCE.as_secs(),
        ),
    );
    let output_path = dir.join(&format!("{run}.out"));
    let output = File::create(&output_path).unwrap();
    let mut emacs = Process::spawn(
        "emacs",
        Command::new("emacs")
            .env("HOME", dir.path())
            .args(["-Q", "--batch", "-l"])
            .arg(&script)
            .stdin(Stdio::null())
            .stdout(output.try_clone().unwrap())
            .stderr(output),
    );
    let finished = emacs.wait_bounded(PATIENCE * 3);
    let text = read_lossy(&output_path);
    assert!(finished, "Emacs ({run}) did not finish:\n{text}");
    let status = emacs.child.wait().unwrap();
    assert!(status.success(), "Emacs ({run}) failed ({status}):\n{text}");
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix("N="))
        .unwrap_or_else(|| panic!("Emacs ({run}) printed no N=:\n{text}"));
    line.trim()
        .parse()
        .unwrap_or_else(|_| panic!("Emacs ({run}) got a non-integer *n*: {line}\n{text}"))
}

#[test]
fn a_new_tunnel_finds_the_program_where_the_user_left_it() {
    require_program(SSHD, "openssh-server");
    require_program(SSH, "openssh-client");
    let dir = TempDir::new("ssh-forward");
    let user = current_user();
    let port = free_port();
    let _sshd = start_sshd(&dir, port);

    let program = dir.join("counter.lisp");
    write(&program, PROGRAM);
    let mut swankd = Process::spawn(
        "swankd",
        Command::new(env!("CARGO_BIN_EXE_swankd"))
            .env("HOME", dir.path())
            .env_remove("RUST_LOG")
            .arg("--no-tcp")
            .arg("--unix")
            .arg(dir.join("remote.sock"))
            .arg(&program)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(dir.join("swankd.log")).unwrap()),
    );
    wait_for("swankd's socket", || {
        if !swankd.is_running() {
            panic!("swankd exited: {}", read_lossy(&dir.join("swankd.log")));
        }
        socket_inode(&dir.join("remote.sock"))
            .map(drop)
            .ok_or_else(|| "no remote.sock yet".to_string())
    });

    let mut first_tunnel = start_tunnel(&dir, port, &user, "ssh-1.log");
    let first = counter_through_emacs(&dir, "emacs-1");
    assert!(
        first > 0,
        "*n* through the first tunnel: {first}, not positive"
    );

    // The tunnel goes away (network change, laptop suspended).
    first_tunnel.kill();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        swankd.is_running(),
        "swankd exited with its tunnel: {}",
        read_lossy(&dir.join("swankd.log"))
    );

    let _second_tunnel = start_tunnel(&dir, port, &user, "ssh-2.log");
    let second = counter_through_emacs(&dir, "emacs-2");
    eprintln!("*n* through the first tunnel: {first}, through the second: {second}");
    assert!(
        second > first,
        "*n* through the second tunnel ({second}) is not past the first ({first}): \
         the program did not keep its state"
    );
    assert!(swankd.is_running(), "swankd exited");
}
