;;; swankd.el --- SLIME for swankd: Unix sockets and M-x slime  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (slime "2.27"))
;; Keywords: languages, lisp, processes

;; This file is not part of GNU Emacs.

;; SPDX-License-Identifier: MIT OR Apache-2.0
;; Licensed like the rest of swankd: see LICENSE at the root of its tree.

;;; Commentary:

;; swankd is a daemon that embeds a Lisp interpreter and speaks SLIME's
;; Swank protocol.  Stock SLIME reaches it over TCP with
;; \\[slime-connect].  This package adds the two other ways in:
;;
;; - \\[slime-connect-unix] (also called `swankd-connect-unix') connects
;;   to a Unix socket, such as one swankd opened with
;;   "swankd --unix PATH", or one that "ssh -N -L LOCAL.sock:REMOTE.sock"
;;   forwards from another host.  It sends the first line of
;;   ~/.slime-secret first when that file exists, like `slime-connect',
;;   then hands the socket to SLIME: everything after that is plain SLIME.
;;
;; - \\[swankd-start] starts swankd as the inferior Lisp, through SLIME's
;;   port-file protocol (swankd writes the port of its TCP listener to the
;;   file SLIME polls).  After (swankd-setup), M-- M-x slime also offers a
;;   `swankd' entry of `slime-lisp-implementations'; and while this file is
;;   loaded, a plain (setq inferior-lisp-program "swankd") works with
;;   M-x slime too (when `slime-lisp-implementations' is empty, as SLIME
;;   only uses `inferior-lisp-program' then).
;;
;; For connections to swankd, SLIME's "Versions differ" question is not
;; asked: swankd reports the SLIME version it was started with
;; (--slime-version, 2.27 by default), whatever SLIME connects, and this
;; package tells it the version of this SLIME as the connection starts, so
;; that swankd speaks this SLIME's dialect (output flow control with
;; :write-done from SLIME 2.28 on).  A swankd started by \\[swankd-start]
;; is also told the version on its command line.
;;
;; Setup:
;;
;;   (with-eval-after-load 'slime
;;     (require 'swankd)
;;     (swankd-setup))

;;; Code:

(require 'cl-lib)
(require 'slime)

(defgroup swankd nil
  "Connect SLIME to the swankd daemon."
  :group 'slime
  :prefix "swankd-")

(defcustom swankd-program "swankd"
  "The swankd executable: a file name, or a command to look up.
A name without a directory is searched in the variable `exec-path'."
  :type 'string)

(defcustom swankd-default-socket "/tmp/swankd.sock"
  "Unix socket that \\[slime-connect-unix] offers first."
  :type 'file)

(defcustom swankd-extra-arguments nil
  "Arguments added to swankd's command line by \\[swankd-start].
For instance (\"--log-level\" \"debug\"), or Lisp files to load."
  :type '(repeat string))

;;;; Connecting to a Unix socket

(defun swankd--socket-p (path)
  "Return non-nil if PATH names a Unix socket (after following links)."
  (let ((attributes (file-attributes (file-truename path))))
    (and attributes
         (eq (aref (file-attribute-modes attributes) 0) ?s))))

(defun swankd--check-socket (path)
  "Signal a `user-error' unless PATH is an existing Unix socket."
  (cond ((not (file-exists-p path))
         (user-error "No such socket: %s (is swankd running with --unix %s?)"
                     path (abbreviate-file-name path)))
        ((file-directory-p path)
         (user-error "%s is a directory, not a Unix socket" path))
        ((not (swankd--socket-p path))
         (user-error "%s is not a Unix socket" path))))

(defun swankd-net-connect-local (path)
  "Open a SLIME network connection to the Unix socket PATH; return it.
This is `slime-net-connect' with a local socket instead of TCP: the
process gets SLIME's buffer, filter, sentinel and coding, then the
first line of ~/.slime-secret if that file exists."
  (let* ((path (expand-file-name path))
         (process
          (condition-case err
              (make-network-process :name "SLIME Lisp"
                                    :family 'local
                                    :service path
                                    :coding 'binary
                                    :noquery t)
            (file-error
             ;; The data of ERR: a summary, the reason (such as
             ;; "Connection refused"), then the arguments.  Only the
             ;; reason tells the user anything.
             (let ((reason (or (cl-find-if #'stringp (cddr err))
                               (error-message-string err))))
               (user-error "Cannot connect to %s: %s%s" path reason
                           (if (string-match-p "refused" reason)
                               " (nothing listens there: a stale socket?)"
                             ""))))))
         (buffer (slime-make-net-buffer " *cl-connection*")))
    (push process slime-net-processes)
    (set-process-buffer process buffer)
    (set-process-filter process #'slime-net-filter)
    (set-process-sentinel process #'slime-net-sentinel)
    (slime-set-query-on-exit-flag process)
    (set-process-coding-system process 'binary 'binary)
    (slime-send-secret process)
    process))

(defvar swankd-socket-history nil
  "Unix sockets given to \\[slime-connect-unix].")

;;;###autoload
(defun swankd-connect-unix (path &optional interactive-p)
  "Connect SLIME to the Swank server on the Unix socket PATH.
Return the connection.  Interactively, read PATH with completion,
offering `swankd-default-socket' first, and with INTERACTIVE-P
non-nil offer to close the open connections first, like
`slime-connect'."
  (interactive
   (list (read-file-name "Unix socket: "
                         (file-name-directory swankd-default-socket)
                         swankd-default-socket nil
                         (file-name-nondirectory swankd-default-socket))
         t))
  (let ((path (expand-file-name path)))
    (swankd--check-socket path)
    (slime-setup)
    (when (and interactive-p
               slime-net-processes
               (y-or-n-p "Close old connections first? "))
      (slime-disconnect-all))
    (message "Connecting to Swank on %s.." (abbreviate-file-name path))
    (slime-setup-connection (swankd-net-connect-local path))))

;;;###autoload
(defalias 'slime-connect-unix #'swankd-connect-unix)

;;;; Starting swankd as the inferior Lisp

(defconst swankd--deferred-exec
  "read -r line || exit 1; exec \"$0\" \"$@\""
  "Shell script that waits for one line on stdin, then runs its arguments.
SLIME starts the inferior Lisp, deletes any old port file, and only
then sends the init string on stdin.  swankd writes its port file as
soon as it listens, so it must not start before that line arrives:
the deletion could remove the new port file.")

(defun swankd--executable ()
  "Return the absolute file name of `swankd-program', or signal an error."
  (let ((program (expand-file-name (substitute-in-file-name swankd-program))))
    (or (if (file-name-directory swankd-program)
            (and (file-executable-p program)
                 (not (file-directory-p program))
                 program)
          (executable-find swankd-program))
        (user-error "Cannot find swankd (`swankd-program' is %S)"
                    swankd-program))))

(defun swankd-program-arguments (&optional arguments)
  "Return a command line to run swankd under SLIME's port-file protocol.
The first element is the shell, which waits for SLIME's init string
before it runs swankd (see `swankd--deferred-exec').  swankd listens
on an ephemeral TCP port, writes it to `slime-swank-port-file', and is
told SLIME's version.  ARGUMENTS, then `swankd-extra-arguments', come
last."
  (let ((arguments (append swankd-extra-arguments arguments)))
    (append (list "sh" "-c" swankd--deferred-exec (swankd--executable)
                  "--port" "0" "--port-file" (slime-swank-port-file))
            (unless (member "--slime-version" arguments)
              (list "--slime-version" slime-version))
            arguments)))

(defun swankd-slime-init (_port-file _coding-system)
  "Return the string SLIME sends to a starting swankd: one empty line.
swankd needs no Lisp form on stdin; its command line (see
`swankd-program-arguments') already names the port file."
  "\n")

(defun swankd-lisp-implementation ()
  "Return the `slime-lisp-implementations' arguments that start swankd.
The `swankd' entry that `swankd-setup' adds calls this each time, as
the port file's name comes from the PID of Emacs and the binary from
`swankd-program'."
  (cl-destructuring-bind (program &rest arguments) (swankd-program-arguments)
    (list (cons program arguments) :init #'swankd-slime-init)))

(defun swankd--swankd-program-p (program)
  "Return non-nil if PROGRAM, a command SLIME is about to run, is swankd."
  (and (stringp program)
       (or (string= (file-name-nondirectory program) "swankd")
           (string= program swankd-program))))

(defun swankd--slime-start-arguments (arguments)
  "Rewrite ARGUMENTS of `slime-start' to run swankd, if they name it.
ARGUMENTS whose program is swankd (for instance from
\(setq inferior-lisp-program \"swankd\")) and that use SLIME's
default init (a Lisp form on stdin, which swankd does not read) get
the command line of `swankd-program-arguments' instead.  Other
ARGUMENTS are returned as they are."
  (let ((program (plist-get arguments :program))
        (init (plist-get arguments :init)))
    (if (and (swankd--swankd-program-p program)
             (memq init '(nil slime-init-command)))
        (let ((swankd-program program)
              (options (copy-sequence arguments)))
          (cl-destructuring-bind (shell &rest shell-arguments)
              (swankd-program-arguments (plist-get arguments :program-args))
            (setq options (plist-put options :program shell))
            (setq options (plist-put options :program-args shell-arguments))
            (plist-put options :init #'swankd-slime-init)))
      arguments)))

;;;###autoload
(defun swankd-start (&optional files)
  "Start swankd as SLIME's inferior Lisp and connect to it.
swankd runs in the buffer *inferior-lisp* and loads FILES, a list of
Lisp files; interactively, with a prefix argument, read one file.
See `swankd-program' and `swankd-extra-arguments'."
  (interactive
   (list (and current-prefix-arg
              (list (expand-file-name
                     (read-file-name "Lisp file for swankd to load: "
                                     nil nil t))))))
  (slime-setup)
  (cl-destructuring-bind (shell &rest arguments)
      (swankd-program-arguments (mapcar #'expand-file-name files))
    (slime-start :program shell
                 :program-args arguments
                 :init #'swankd-slime-init
                 :name 'swankd)))

;;;###autoload
(defun swankd-setup ()
  "Add swankd to `slime-lisp-implementations', named `swankd'.
Then \\`M--' \\[slime] offers it, and (slime \\='swankd) starts it.  When
the table was empty, this makes swankd the default of \\[slime].
Entries named by a string, as Debian's SLIME names the Lisps it finds
installed, are named by the symbol instead: \\`M--' \\[slime] fails on
a string."
  (interactive)
  (setq slime-lisp-implementations
        (mapcar (lambda (entry)
                  (if (stringp (car entry))
                      (cons (intern (car entry)) (cdr entry))
                    entry))
                slime-lisp-implementations))
  (unless (assq 'swankd slime-lisp-implementations)
    (setq slime-lisp-implementations
          (append slime-lisp-implementations
                  (list (list 'swankd #'swankd-lisp-implementation))))))

;;;; The version question

(defun swankd--connection-info-swankd-p (info)
  "Return non-nil if INFO, a reply to swank:connection-info, is swankd's."
  (equal (plist-get (plist-get info :lisp-implementation) :type) "swankd"))

(defun swankd--set-connection-info (set-connection-info connection info)
  "Call SET-CONNECTION-INFO on CONNECTION and INFO, quietly for swankd.
For a swankd connection the SLIME versions are not compared: swankd
is told this SLIME's version instead, and speaks its dialect."
  (if (swankd--connection-info-swankd-p info)
      (let ((slime-protocol-version 'ignore)
            (slime-dispatching-connection connection))
        ;; Before the REPL is made, so that all its output is in this SLIME's dialect.
        (slime-eval-async `(swankd:set-client-slime-version ,slime-version))
        (funcall set-connection-info connection info))
    (funcall set-connection-info connection info)))

(advice-add 'slime-set-connection-info :around #'swankd--set-connection-info)
(advice-add 'slime-start :filter-args #'swankd--slime-start-arguments)

(defun swankd-unload-function ()
  "Remove what swankd.el added to SLIME; called by `unload-feature'."
  (advice-remove 'slime-set-connection-info #'swankd--set-connection-info)
  (advice-remove 'slime-start #'swankd--slime-start-arguments)
  (setq slime-lisp-implementations
        (assq-delete-all 'swankd slime-lisp-implementations))
  nil)

(provide 'swankd)

;;; swankd.el ends here
