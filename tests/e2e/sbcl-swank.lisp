;;;; sbcl-swank.lisp --- start SBCL's real swank the way the e2e scenarios expect a server.
;;;;
;;;; Used by tests/emacs_e2e.rs when SWANKD_E2E_SERVER=sbcl, and by scripts/e2e-sbcl.
;;;; SBCL is the oracle: every scenario must pass against this server before we ask it of swankd.
;;;;
;;;; Run:  sbcl --noinform --non-interactive --no-sysinit --no-userinit --load tests/e2e/sbcl-swank.lisp
;;;; Environment:
;;;;   SWANKD_E2E_PORT_FILE  (required) where to write the listening TCP port, as a decimal integer
;;;;   XDG_CACHE_HOME        (optional) Debian's swank-loader compiles swank through ASDF's output
;;;;                         translations, i.e. under $XDG_CACHE_HOME/common-lisp/ (default
;;;;                         ~/.cache). Point it at a persistent directory so that a throw-away $HOME
;;;;                         does not mean compiling swank (15+ s) on every start.
;;;;   SWANKD_E2E_SWANK_LOADER (optional) path of swank-loader.lisp; defaults to Debian's cl-swank.

(require :sb-posix)

(defpackage :swankd-e2e-sbcl
  (:use :cl))

(in-package :swankd-e2e-sbcl)

(defun env (name &optional default)
  (let ((value (sb-ext:posix-getenv name)))
    (if (and value (plusp (length value))) value default)))

(defun die (fmt &rest args)
  (format *error-output* "~&sbcl-swank: ~?~%" fmt args)
  (finish-output *error-output*)
  (sb-ext:exit :code 2 :abort t))

(defvar *port-file*
  (or (env "SWANKD_E2E_PORT_FILE") (die "SWANKD_E2E_PORT_FILE is not set")))

(load (env "SWANKD_E2E_SWANK_LOADER" "/usr/share/common-lisp/source/slime/swank-loader.lisp"))

;; Load every contrib now: slime-fancy's swank-require then finds them already loaded,
;; so concurrent connections never race to compile the same contrib file.
(swank-loader:init :load-contribs t)

(setf (symbol-value (find-symbol "*LOG-EVENTS*" :swank)) nil)

(let ((port (funcall (find-symbol "CREATE-SERVER" :swank)
                     :port 0 :style :spawn :dont-close t)))
  ;; Write to a temporary name and rename, so a reader never sees a half-written number.
  ;; (sb-posix:rename, not cl:rename-file, which would merge the old name's type into the new one.)
  (let ((tmp (format nil "~A.tmp" *port-file*)))
    (with-open-file (out tmp :direction :output :if-exists :supersede)
      (format out "~D~%" port))
    (sb-posix:rename tmp *port-file*))
  (format *error-output* "~&sbcl-swank: listening on 127.0.0.1:~D~%" port)
  (finish-output *error-output*))

;; The server runs in its own threads; keep the main thread (and so the process) alive
;; until the test driver kills us.
(loop (sleep 3600))
