;;;; Indentation hints for Emacs (:indentation-update): for each user macro whose lambda
;;;; list has &body, how SLIME should indent its calls, sent to each connection when it
;;;; changed. Loaded into SWANK.

(defvar *indentation-sent* (make-hash-table)
  "Connection id -> (GENERATION . hash table of macro name -> spec last sent).")
(pushnew '*indentation-sent* swankd::*per-connection-tables*)

(defun indentation-spec (arglist)
  "SLIME's spec for a macro with lambda list ARGLIST: 4 (or (\"&whole\" 4) for a
destructured one) per parameter before &BODY, then \"&body\"; NIL without &BODY."
  (let ((spec nil))
    (dolist (item arglist nil)
      (cond ((eq item '&body) (return (nreverse (cons "&body" spec))))
            ((member item '(&optional &rest &key &aux &whole &environment)) (return nil))
            ((consp item) (push (list "&whole" 4) spec))
            (t (push 4 spec))))))

(defvar *boot-macros*
  (let ((table (make-hash-table)))
    (dolist (entry (swankd::%macro-arglists) table)
      (setf (gethash (car entry) table) (cadr entry))))
  "The macros swankd itself defines, with their lambda lists: Emacs is told only of the
macros programs and users define (or redefine).")

(defun indentation-changes (sent)
  "(NAME SPEC (PACKAGE)) for every macro whose spec differs from what SENT records;
records the new specs in SENT."
  (let ((changes nil)
        (common-lisp (find-package "COMMON-LISP")))
    (dolist (entry (swankd::%macro-arglists) changes)
      (let ((symbol (car entry)))
        (unless (or (eq (symbol-package symbol) common-lisp)
                    (equal (gethash symbol *boot-macros*) (cadr entry)))
          (let* ((arglist (ignore-errors
                           (let ((*package* (find-package "COMMON-LISP-USER")))
                             (read-from-string (cadr entry)))))
                 (spec (and (listp arglist) (indentation-spec arglist)))
                 (name (string-downcase (symbol-name symbol)))
                 (old (gethash name sent :never)))
            (unless (or (equal old spec) (and (eq old :never) (null spec)))
              (setf (gethash name sent) spec)
              (push (list name spec (list (package-name (symbol-package symbol)))) changes))))))))

(defun send-indentation-updates (&optional force)
  "Sends this connection the indentation hints that changed since it was last told,
when a macro was defined since (or FORCE)."
  (let ((id (swankd::%connection-id)))
    (when id
      (let ((state (gethash id *indentation-sent*))
            (generation (swankd::%macro-generation)))
        (unless state
          (setq state (cons -1 (make-hash-table :test #'equal)))
          (setf (gethash id *indentation-sent*) state))
        (when (or force (/= generation (car state)))
          (setf (car state) generation)
          (let ((changes (indentation-changes (cdr state))))
            (when changes
              (swankd::%send-to-emacs (list :indentation-update changes)))))))))

(defun update-indentation-information ()
  "M-x slime-update-indentation: send the hints that changed now."
  (send-indentation-updates t)
  nil)
