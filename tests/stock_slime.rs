//! Stock SLIME, no swankd package: `(setq inferior-lisp-program "swankd")` and `M-x slime`
//! start swankd as the inferior Lisp (SLIME writes its start-up forms on swankd's standard
//! input and waits for the port file), and the connection evaluates.

use std::process::{Command, Stdio};

const SCRIPT: &str = r#"
(progn
  (require 'cl-lib)
  (let ((dir (cl-find-if (lambda (d) (file-exists-p (expand-file-name "slime.el" d)))
                         (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/slime-*"))))
    (add-to-list 'load-path dir)
    (add-to-list 'load-path (expand-file-name "contrib" dir)))
  (require 'slime)
  (setq slime-lisp-implementations nil
        inferior-lisp-program (getenv "SWANKD_BIN")
        slime-repl-history-file (expand-file-name "history.eld" (make-temp-file "stock" t)))
  (slime-setup '(slime-repl))
  (advice-add 'y-or-n-p :override (lambda (&rest _) t))
  (run-at-time 30 nil (lambda () (message "STOCK-SLIME: timeout") (kill-emacs 3)))
  (slime)
  (while (not (slime-connected-p)) (accept-process-output nil 0.1))
  (message "STOCK-SLIME: %s" (slime-eval '(cl:+ 1 2)))
  (let ((process (slime-inferior-process)))
    (slime-quit-lisp t)
    (while (process-live-p process) (accept-process-output nil 0.1)))
  (kill-emacs 0))
"#;

#[test]
fn m_x_slime_starts_swankd_as_the_inferior_lisp() {
    if Command::new("emacs").arg("--version").output().is_err() {
        panic!("Emacs is not installed: apt-get install emacs-nox slime (scripts/test does)");
    }
    let home = std::env::temp_dir().join(format!("swankd-stock-slime-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new("emacs")
        .args(["-Q", "--batch", "--eval", SCRIPT])
        .env("HOME", &home)
        .env("SWANKD_BIN", env!("CARGO_BIN_EXE_swankd"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run Emacs: {e}"));
    let _ = std::fs::remove_dir_all(&home);
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && text.contains("STOCK-SLIME: 3"),
        "M-x slime with swankd as the inferior Lisp failed ({}):\n{text}",
        output.status
    );
}
