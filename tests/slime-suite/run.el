;;; run.el --- Run SLIME's own test suite against a running server  -*- lexical-binding: t -*-

;;; Commentary:

;; Used by tests/slime_suite.rs.  SLIME's `slime-batch-test' normally starts a Lisp with
;; M-x slime; here `slime' connects to the server on $SWANKD_SUITE_PORT instead.  The ERT
;; selector comes from $SWANKD_SUITE_SELECTOR (a Lisp form).  Emacs exits with the
;; number of unexpected results.

;;; Code:

(require 'cl-lib)

(let ((dir (cl-find-if (lambda (d) (file-exists-p (expand-file-name "slime.el" d)))
                       (file-expand-wildcards
                        "/usr/share/emacs/site-lisp/elpa/slime-*"))))
  (unless dir (error "SLIME's sources are not installed (apt-get install slime)"))
  (dolist (sub '("" "contrib" "contrib/test"))
    (add-to-list 'load-path (expand-file-name sub dir))))

(require 'slime)
(setq slime-repl-history-file
      (expand-file-name "history.eld" (make-temp-file "swankd-suite" t)))
(slime-setup '(slime-fancy))
(require 'slime-tests)
(dolist (feature (split-string (or (getenv "SWANKD_SUITE_REQUIRE") "") " " t))
  (require (intern feature)))

(fset 'slime (lambda (&rest _)
               (slime-connect "127.0.0.1"
                              (string-to-number (getenv "SWANKD_SUITE_PORT")))))

(slime-batch-test (car (read-from-string (getenv "SWANKD_SUITE_SELECTOR"))))

;;; run.el ends here
