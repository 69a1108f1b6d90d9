;;;; The bordeaux-threads subset (package BORDEAUX-THREADS, nickname BT), over the green
;;;; thread builtins in threads.rs. Every wait re-checks its condition after waking.

(defun swankd::%thread-toplevel (function)
  "What a thread made by MAKE-THREAD runs. DESTROY-THREAD throws to the catch; the ABORT
restart (offered in SLDB) ends the thread too."
  (let ((value nil) (returned nil))
    (catch 'swankd::%thread-exit
      (restart-case (setq value (funcall function)
                          returned t)
        (abort () :report (lambda (stream)
                            (format stream "Abort thread (~A)." (current-thread)))
          nil)))
    (unless returned (swankd::%mark-thread-aborted))
    value))

(defun make-thread (function &key (name "Anonymous thread") initial-bindings)
  "Starts a thread calling FUNCTION with no arguments; it sees the global values of special
variables."
  (when initial-bindings
    (error "MAKE-THREAD: :INITIAL-BINDINGS is not supported by swankd yet"))
  (swankd::%make-thread function (string name)))

(defun current-thread ()
  "The thread running this code."
  (swankd::%current-thread))

(defun thread-name (thread)
  "THREAD's name, a string."
  (swankd::%thread-name thread))

(defun all-threads ()
  "Every live thread: the program's, Emacs requests', and those made by MAKE-THREAD."
  (swankd::%all-threads))

(defun thread-alive-p (thread)
  "True until THREAD's function has returned or the thread was destroyed."
  (not (swankd::%thread-result thread)))

(defun join-thread (thread)
  "Waits for THREAD to end and returns the value of its function; an error if the thread
ended otherwise (an unhandled error, DESTROY-THREAD)."
  (loop
    (multiple-value-bind (finished value) (swankd::%thread-result thread)
      (when finished
        (when (swankd::%thread-aborted-p thread)
          (error "Joining thread failed: thread ~A did not return normally." thread))
        (return value)))
    (swankd::%wait-for-thread thread)))

(defun interrupt-thread (thread function &rest arguments)
  "Makes THREAD call FUNCTION with ARGUMENTS as soon as it runs again, then go on with what
it was doing (a SLEEP or wait it was in ends early)."
  (swankd::%interrupt-thread thread (lambda () (apply function arguments)))
  thread)

(defun destroy-thread (thread)
  "Ends THREAD, running its UNWIND-PROTECT cleanups."
  (swankd::%interrupt-thread thread (lambda () (throw 'swankd::%thread-exit nil)))
  thread)

(defun thread-yield ()
  "Lets other threads run before this one continues."
  (swankd::%thread-yield))

(defun make-lock (&optional (name "Anonymous lock"))
  "A lock one thread holds at a time; taking it twice in the same thread is an error."
  (swankd::%make-lock (string name) nil))

(defun make-recursive-lock (&optional (name "Anonymous recursive lock"))
  "A lock its holder may take again; it is free once released as often as taken."
  (swankd::%make-lock (string name) t))

(defun acquire-lock (lock &optional (wait-p t))
  "Takes LOCK, waiting while another thread holds it (unless WAIT-P is false: then returns
NIL at once). Returns T once held."
  (loop
    (when (swankd::%try-acquire-lock lock) (return t))
    (unless wait-p (return nil))
    (swankd::%wait-for-lock lock)))

(defun release-lock (lock)
  "Releases LOCK, which this thread must hold."
  (swankd::%release-lock lock))

(defun acquire-recursive-lock (lock &optional (wait-p t))
  (acquire-lock lock wait-p))

(defun release-recursive-lock (lock)
  (release-lock lock))

(defmacro with-lock-held ((place &key timeout) &body body)
  "Runs BODY holding the lock PLACE evaluates to; releases it however BODY exits."
  (declare (ignore timeout))
  (let ((lock (gensym "LOCK")))
    `(let ((,lock ,place))
       (acquire-lock ,lock)
       (unwind-protect (progn ,@body)
         (release-lock ,lock)))))

(defmacro with-recursive-lock-held ((place &key timeout) &body body)
  "WITH-LOCK-HELD for recursive locks."
  `(with-lock-held (,place :timeout ,timeout) ,@body))

(defun make-condition-variable (&key (name "Anonymous condition variable"))
  (swankd::%make-condition-variable (string name)))

(defun condition-wait (condition-variable lock &key timeout)
  "Releases LOCK, waits for a CONDITION-NOTIFY on CONDITION-VARIABLE (or TIMEOUT seconds),
takes LOCK again. True if notified; NIL after a timeout or an early wake-up."
  (let ((notified (swankd::%condition-wait condition-variable lock timeout)))
    (acquire-lock lock)
    notified))

(defun condition-notify (condition-variable)
  "Wakes one thread waiting on CONDITION-VARIABLE."
  (swankd::%condition-notify condition-variable nil)
  nil)

(defun condition-broadcast (condition-variable)
  "Wakes every thread waiting on CONDITION-VARIABLE."
  (swankd::%condition-notify condition-variable t)
  nil)
