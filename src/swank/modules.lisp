;;;; REQUIRE, PROVIDE and the system loaders programs call at the top of their files.
;;;; What swankd builds in loads as a no-op; anything else is a clear error.

(defvar cl::*modules* (list "SWANK" "SWANK-REPL" "BORDEAUX-THREADS" "USOCKET" "USOCKET-SERVER")
  "The modules present: built into swankd, or announced with PROVIDE.")

(defun swankd::%module-name (name)
  (let ((name (string-upcase (string name))))
    (if (string= name "BT") "BORDEAUX-THREADS" name)))

(defun swankd::%require-modules (names)
  (dolist (name names names)
    (unless (member (swankd::%module-name name) cl::*modules* :test #'string=)
      (error "Don't know how to REQUIRE ~A: swankd provides ~{~A~^, ~} and whatever was PROVIDEd."
             (swankd::%module-name name) cl::*modules*))))

(defun cl::require (module-name &optional pathnames)
  "Succeeds for the modules swankd provides; loads PATHNAMES (a designator or list) for
any other module, which must then PROVIDE it."
  (let ((name (swankd::%module-name module-name)))
    (cond ((member name cl::*modules* :test #'string=) nil)
          (pathnames
           (dolist (file (if (listp pathnames) pathnames (list pathnames)))
             (load file))
           (list name))
          (t (swankd::%require-modules (list name))))))

(defun cl::provide (module-name)
  "Announces that MODULE-NAME is loaded, so later REQUIREs of it succeed."
  (let ((name (swankd::%module-name module-name)))
    (unless (member name cl::*modules* :test #'string=)
      (push name cl::*modules*)))
  t)

(defun ql::quickload (systems &key verbose silent prompt explain)
  "Quicklisp's entry point: the systems swankd provides load as no-ops."
  (declare (ignore verbose silent prompt explain))
  (swankd::%require-modules (if (listp systems) systems (list systems)))
  (if (listp systems) systems (list systems)))

(defun asdf::load-system (system &key force verbose)
  (declare (ignore force verbose))
  (swankd::%require-modules (list system))
  t)

(defun asdf::require-system (system)
  (asdf::load-system system))

(defun swank-loader::init (&key delete reload load-contribs setup from-emacs)
  "SLIME's swank loader: swankd is swank already, so there is nothing to load."
  (declare (ignore delete reload load-contribs setup from-emacs))
  nil)

(defun swankd::%provided-file-p (pathname)
  "True for SLIME's swank-loader.lisp, which SLIME's M-x slime loads: swankd provides
what it would load, so LOAD of it does nothing."
  (let* ((name (swankd::%file-name pathname))
         (suffix "swank-loader.lisp")
         (start (- (length name) (length suffix))))
    (and (>= start 0) (string= suffix name :start2 start))))
