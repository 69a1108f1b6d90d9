;;;; The trace dialog (slime-trace-dialog, C-c T and C-c M-t): traced functions record
;;;; each call, its arguments, its values and its callee calls as a tree that Emacs fetches
;;;; in batches and shows, with the arguments and values inspectable. Loaded into
;;;; SWANK-TRACE-DIALOG; independent of TRACE's printing (a function traced both ways
;;;; should be untraced in the reverse order).

(defvar *traces* (make-array 100 :adjustable t :fill-pointer 0)
  "Every recorded call, by id.")
(defvar *traced-specs* '() "The functions traced for the dialog.")
(defvar *originals* '() "Alist (NAME . FUNCTION BEFORE TRACING).")
(defvar *current-trace* nil "The call being run in this thread, if traced.")
(defvar *traces-per-report* 150 "Calls sent to Emacs per batch.")
(defvar *unfinished-traces* '() "Sent calls that had not returned when sent.")
(defvar *visitor-key* nil)
(defvar *visitor-index* 0)

(defstruct (trace-entry (:constructor make-trace-entry (id spec args parent)))
  id spec args parent (retlist 'still-inside))

(defun find-trace (id)
  (when (and (integerp id) (< -1 id (length *traces*)))
    (aref *traces* id)))

(defun find-trace-part (id part-id type)
  "The PART-ID-th argument (TYPE :ARG) or value (:RETVAL) of call ID, and whether it exists."
  (let* ((trace (find-trace id))
         (parts (and trace
                     (if (eq type :arg)
                         (trace-entry-args trace)
                         (let ((retlist (trace-entry-retlist trace)))
                           (if (listp retlist) retlist (list retlist)))))))
    (values (nth part-id parts) (and (integerp part-id) (< -1 part-id (length parts))))))

(defun completed-p (trace) (not (eq (trace-entry-retlist trace) 'still-inside)))

(defun %traced-call (spec original arguments)
  (let ((entry (make-trace-entry (fill-pointer *traces*) spec arguments *current-trace*)))
    (vector-push-extend entry *traces*)
    (let ((values (let ((*current-trace* entry))
                    (multiple-value-list (apply original arguments)))))
      (setf (trace-entry-retlist entry) values)
      (values-list values))))

(defun dialog-traced-p (spec)
  (find spec *traced-specs* :test #'equal))

(defun dialog-trace (spec)
  (unless (and (symbolp spec) (fboundp spec) (not (macro-function spec)))
    (error "~S is not a function: cannot trace it." spec))
  (when (dialog-traced-p spec) (dialog-untrace spec))
  (let ((original (symbol-function spec)))
    (swankd::%set-function spec (lambda (&rest arguments)
                                  (%traced-call spec original arguments)))
    (push (cons spec original) *originals*)
    (pushnew spec *traced-specs*))
  (format nil "~a is now traced for trace dialog" spec))

(defun dialog-untrace (spec)
  (let ((entry (assoc spec *originals*)))
    (when entry
      (swankd::%set-function spec (cdr entry))
      (setq *originals* (remove entry *originals*))))
  (setq *traced-specs* (remove spec *traced-specs* :test #'equal))
  (format nil "~a is now untraced for trace dialog" spec))

(defun dialog-toggle-trace (spec)
  (if (dialog-traced-p spec) (dialog-untrace spec) (dialog-trace spec)))

(defun dialog-untrace-all ()
  (mapcar #'dialog-untrace *traced-specs*))

(defun to-line (object)
  "OBJECT printed on one line, at most 75 characters."
  (let ((text (substitute #\Space #\Newline
                          (let ((*print-readably* nil)) (prin1-to-string object)))))
    (if (> (length text) 75) (concatenate 'string (subseq text 0 73) "..") text)))

(defun describe-trace-for-emacs (trace)
  (let ((retlist (trace-entry-retlist trace))
        (parent (trace-entry-parent trace)))
    (list (trace-entry-id trace)
          (and parent (trace-entry-id parent))
          (trace-entry-spec trace)
          (let ((index -1))
            (mapcar (lambda (arg) (list (incf index) (to-line arg))) (trace-entry-args trace)))
          (let ((index -1))
            (mapcar (lambda (value) (list (incf index) (to-line value)))
                    (if (listp retlist) retlist (list retlist)))))))

(defun report-partial-tree (key)
  "The next batch of calls for the dialog (those that returned since last time first):
(CALLS REMAINING KEY)."
  (unless (equal key *visitor-key*)
    (setq *visitor-index* 0 *visitor-key* key *unfinished-traces* '()))
  (let* ((finished (remove-if-not #'completed-p *unfinished-traces*))
         (finished (subseq finished 0 (min (length finished) *traces-per-report*)))
         (new '()))
    (setq *unfinished-traces* (set-difference *unfinished-traces* finished))
    (loop while (and (< (+ (length finished) (length new)) *traces-per-report*)
                     (< *visitor-index* (length *traces*)))
          do (let ((trace (aref *traces* *visitor-index*)))
               (push trace new)
               (unless (completed-p trace) (push trace *unfinished-traces*))
               (incf *visitor-index*)))
    ;; Emacs compares the key's name with the one it sent: an uninterned symbol reaches it
    ;; without the package prefix an interned one would be printed with.
    (list (mapcar #'describe-trace-for-emacs (append finished (nreverse new)))
          (- (length *traces*) *visitor-index*)
          (if (symbolp key) (make-symbol (symbol-name key)) key))))

(defun report-trace-detail (trace-id)
  (let ((trace (find-trace trace-id)))
    (when trace
      (append (describe-trace-for-emacs trace)
              (list nil
                    (format nil "#<TRACE-ENTRY ~a: ~a>" (trace-entry-id trace)
                            (trace-entry-spec trace)))))))

(defun report-specs ()
  (sort (copy-list *traced-specs*) #'string< :key #'princ-to-string))

(defun report-total ()
  (length *traces*))

(defun clear-trace-tree ()
  (setf (fill-pointer *traces*) 0)
  (setq *visitor-key* nil *visitor-index* 0 *unfinished-traces* '())
  nil)

(defun inspect-trace-part (trace-id part-id type)
  (multiple-value-bind (object found) (find-trace-part trace-id part-id type)
    (unless found
      (error "No object found with ~a, ~a and ~a" trace-id part-id type))
    (swank::init-inspector-on object)))
