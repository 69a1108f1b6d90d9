;;;; SLDB, the debugger Emacs shows: loaded into the SWANK package at boot (see debugger.rs
;;;; for the frames and the mailbox). An unhandled error in a thread that serves Emacs runs
;;;; SLDB-LOOP in that thread: it announces the level with :debug and :debug-activate, then
;;;; evaluates the requests Emacs sends to the thread until a restart unwinds it.

(defvar *sldb-level* 0 "How many debugger levels this thread is in.")
(defvar *sldb-condition* nil "The condition of the innermost level.")
(defvar *sldb-restarts* nil "The restarts of the innermost level, as shown to Emacs.")
(defvar *sldb-frame-base* 0 "The thread's frame count when the innermost level began.")
(defvar *sldb-entered* nil "A cons whose car a nested level sets, so the level below re-announces itself.")
(defvar *pending-continuations* nil "Ids of the requests running in this thread, newest first.")

(defun swankd::%swank-debugger (condition frame-base)
  "Shows CONDITION in SLDB; returns only through a restart."
  (sldb-loop condition frame-base))

(setq swankd::*debugger* #'swankd::%swank-debugger)

(defun condition-type-line (condition)
  (format nil "   [Condition of type ~A]" (swankd::%condition-type condition)))

(defun outermost-abort (restarts)
  "The last ABORT restart of RESTARTS: the one that returns to SLIME's top level."
  (let ((found nil))
    (dolist (restart restarts found)
      (when (eq (restart-name restart) 'abort) (setq found restart)))))

(defun restart-lines (restarts)
  (let ((top-abort (outermost-abort restarts)))
    (mapcar (lambda (restart)
              (list (format nil "~:[~;*~]~A" (eq restart top-abort) (restart-name restart))
                    (swankd::%restart-report restart)))
            restarts)))

(defmacro with-sldb-printing (&body body)
  "Prints as swank's debugger does: shared and circular structure labelled, long and deep
data cut short, so that no condition or value can print without end."
  `(let ((*print-circle* t) (*print-length* 10) (*print-level* 4) (*print-readably* nil))
     ,@body))

(defun debugger-info (start end)
  "(CONDITION RESTARTS FRAMES CONTINUATIONS) of the innermost level, frames START to END."
  (with-sldb-printing
    (list (list (princ-to-string *sldb-condition*) (condition-type-line *sldb-condition*) nil)
          (restart-lines *sldb-restarts*)
          (backtrace start end)
          *pending-continuations*)))

(defun sldb-loop (condition frame-base)
  (let* ((*sldb-level* (1+ *sldb-level*))
         (*sldb-condition* condition)
         (*sldb-restarts* (compute-restarts condition))
         (*sldb-frame-base* frame-base)
         (thread (swankd::%thread-id)))
    (when *sldb-entered* (setf (car *sldb-entered*) t))
    (swankd::%open-mailbox)
    (unwind-protect
         (loop
           (swankd::%send-to-emacs (list* :debug thread *sldb-level* (debugger-info 0 20)))
           (swankd::%send-to-emacs (list :debug-activate thread *sldb-level* nil))
           (sldb-serve-requests))
      (swankd::%send-to-emacs (list :debug-return thread *sldb-level* nil))
      (when (= *sldb-level* 1) (swankd::%close-mailbox)))))

(defun sldb-serve-requests ()
  "Evaluates the requests Emacs sends to this thread; returns after one that went through a
deeper debugger level, so that this level is announced again."
  (loop
    (let* ((entered (list nil))
           (*sldb-entered* entered)
           ;; An interrupt while waiting here also opens a deeper level.
           (request (swankd::%next-request)))
      (when (eq request :reannounce) (return))
      (sldb-serve-request request)
      (when (car entered) (return)))))

(defun abort-text (condition)
  (if condition
      (with-sldb-printing
        (format nil "#<~A ~S>" (swankd::%condition-type condition) (princ-to-string condition)))
      "NIL"))

(defun sldb-serve-request (request)
  (when request
    (let ((id (car request))
          (form (cadr request))
          (level *sldb-level*)
          (done nil)
          (value nil)
          (condition nil))
      (let ((*package* (caddr request))
            (*pending-continuations* (cons id *pending-continuations*)))
        (unwind-protect
             (restart-case
                 (handler-bind ((error (lambda (c) (setq condition c))))
                   (setq value (eval form) done t))
               (abort () :report (lambda (stream) (format stream "Return to sldb level ~D." level))
                 nil))
          (swankd::%send-return id done (if done value (abort-text condition))))))))

;;;; The SLDB commands.

(defun backtrace (start end)
  (swankd::%backtrace start end *sldb-frame-base*))

(defun debugger-info-for-emacs (start end)
  (debugger-info start end))

(defun invoke-nth-restart-for-emacs (level n)
  (when (= level *sldb-level*)
    (let ((restart (nth n *sldb-restarts*)))
      (if restart
          (invoke-restart-interactively restart)
          (error "There is no restart number ~D." n)))))

(defun level-restart (name)
  "The innermost restart NAME of the current level (not one of the request being served)."
  (dolist (restart *sldb-restarts* nil)
    (when (eq (restart-name restart) name) (return restart))))

(defun sldb-abort ()
  (let ((restart (level-restart 'abort)))
    (if restart (invoke-restart restart) (error "There is no ABORT restart."))))

(defun sldb-continue ()
  (let ((restart (level-restart 'continue)))
    (when restart (invoke-restart restart))))

(defun throw-to-toplevel ()
  (let ((top (outermost-abort *sldb-restarts*)))
    (if top
        (invoke-restart top)
        (error "There is no ABORT restart."))))

(defun restart-frame (index)
  "Calls frame INDEX's function again, with its arguments, through its name: after
redefining a function, this retries the failed call with the new code."
  (swankd::%restart-frame index *sldb-frame-base*))

(defun sldb-return-from-frame (index string)
  "Makes frame INDEX return the values of STRING, evaluated with the frame's locals."
  (swankd::%return-from-frame index *sldb-frame-base*
                              (eval-in-frame string index (package-name *package*))))

(defun sldb-disassemble (index)
  (swankd::%disassemble-frame index *sldb-frame-base*))

(defun frame-source-location (index)
  "Where frame INDEX's function is defined, if it was loaded from a file or buffer."
  (let* ((name (swankd::%frame-function-name index *sldb-frame-base*))
         (source (and (symbolp name) name
                      (cadr (assoc 'defun (swankd::%definition-sources name))))))
    (or source
        (list :error (format nil "No source location is recorded for ~A."
                             (cadr (car (backtrace index (1+ index)))))))))

(defun sdlb-print-condition ()
  (with-sldb-printing (princ-to-string *sldb-condition*)))

(defun frame-locals (index)
  "The named locals of frame INDEX, innermost binding of each name, as (SYMBOL VALUE)."
  (let ((seen nil) (result nil))
    (dolist (pair (reverse (swankd::%frame-locals index *sldb-frame-base*)) result)
      (unless (member (car pair) seen)
        (push (car pair) seen)
        (push pair result)))))

(defun frame-locals-and-catch-tags (index)
  (with-sldb-printing
    (list (mapcar (lambda (pair)
                    (list :name (string (car pair)) :id 0 :value (prin1-to-string (cadr pair))))
                  (frame-locals index))
          nil)))

(defun frame-package-name (index)
  (declare (ignore index))
  (package-name *package*))

(defun eval-in-frame (string index package)
  "Evaluates STRING with the locals of frame INDEX bound to their values (reading them;
assignments do not reach the frame)."
  (let* ((*package* (or (find-package package) *package*))
         (form (read-from-string string)))
    (multiple-value-list
     (eval `(let ,(mapcar (lambda (pair) (list (car pair) (list 'quote (cadr pair))))
                          (frame-locals index))
              ,form)))))

(defun eval-string-in-frame (string index package)
  (swankd::%format-values-for-echo-area (eval-in-frame string index package)))

(defun pprint-eval-string-in-frame (string index package)
  (swank-pprint (eval-in-frame string index package)))

(defun swankd::%interrupt-from-emacs ()
  "What an interrupted thread runs: SLDB, with a restart that goes on with the work."
  (restart-case (invoke-debugger (make-condition 'simple-error :format-control "Interrupt from Emacs"
                                                               :format-arguments nil))
    (continue () :report "Continue from break." (swankd::%arm-step) nil)))

(defun swankd::%step-break ()
  "Where a stepping thread stops: before the call now in frame 0 runs."
  (restart-case
      (invoke-debugger
       (make-condition 'simple-condition
                       :format-control "Stepping: about to run ~A"
                       :format-arguments (list (cadr (car (swankd::%backtrace
                                                           0 1 (swankd::%frame-count)))))))
    (continue () :report "Continue (or go on stepping, after s, x or o)."
      (swankd::%arm-step) nil)))

(defun swankd::%return-break (value)
  "Where a thread stops when a frame marked to break on return has returned VALUE."
  (restart-case
      (invoke-debugger
       (make-condition 'simple-condition
                       :format-control "Returning ~S"
                       :format-arguments (list value)))
    (continue () :report "Continue (or go on stepping, after s, x or o)."
      (swankd::%arm-step) nil)))

(defun stepping-continue (what)
  "Leaves the debugger through its CONTINUE restart, which starts the stepping asked for."
  (let ((restart (level-restart 'continue)))
    (unless restart
      (swankd::%set-pending-step nil nil *sldb-frame-base*)
      (error "~A needs a CONTINUE restart (from a break, an interrupt or a step)." what))
    (invoke-restart restart)))

(defun sldb-step (index)
  "s: continue and stop before the next call this thread makes."
  (declare (ignore index))
  (swankd::%set-pending-step :into nil *sldb-frame-base*)
  (stepping-continue "Stepping"))

(defun sldb-next (index)
  "x: continue and stop before the next call made by frame INDEX (or its callers)."
  (swankd::%set-pending-step :over index *sldb-frame-base*)
  (stepping-continue "Stepping"))

(defun sldb-out (index)
  "o: continue and stop when frame INDEX returns."
  (swankd::%break-on-return index *sldb-frame-base*)
  (stepping-continue "Stepping out"))

(defun sldb-break-on-return (index)
  "Stop when frame INDEX returns (after continuing)."
  (swankd::%break-on-return index *sldb-frame-base*)
  nil)

;;;; The thread list (C-c C-x t).

(defvar *thread-list* nil "The thread ids of the last LIST-THREADS, in its row order.")

(defun list-threads ()
  "((:id :name :status) (ID NAME STATUS) ...): every thread; rows are addressed by index."
  (let ((rows (swankd::%thread-rows)))
    (setq *thread-list* (mapcar #'car rows))
    (cons '(:id :name :status) rows)))

(defun nth-thread (index)
  (let ((id (nth index *thread-list*)))
    (or (and id (swankd::%thread-by-id id))
        (error "Thread number ~D of the list is gone." index))))

(defun kill-nth-thread (index)
  (bt:destroy-thread (nth-thread index))
  nil)

(defun debug-nth-thread (index)
  (bt:interrupt-thread (nth-thread index) #'swankd::%interrupt-from-emacs)
  nil)

(defun quit-thread-browser ()
  (setq *thread-list* nil))

(defun cl::break (&optional (format-control "Break") &rest format-arguments)
  "Enters the debugger with a CONTINUE restart that returns NIL from BREAK."
  (restart-case
      (let ((*debugger-hook* nil))
        (invoke-debugger (make-condition 'simple-condition :format-control format-control
                                                           :format-arguments format-arguments)))
    (continue () :report "Return from BREAK." (swankd::%arm-step) nil)))

(defun sldb-break-with-default-debugger (dont-unwind)
  "B: swankd has no debugger but SLDB (no terminal debugger to hand the thread to)."
  (declare (ignore dont-unwind))
  (error "swankd has no debugger other than SLDB: use the restarts shown."))
