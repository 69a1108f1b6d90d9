;;;; The part of the language written in Lisp: macros and functions compiled at boot.
;;;; Evaluated with *PACKAGE* bound to COMMON-LISP; every symbol it defines there is exported.

(defmacro swankd::%repeat (&body body)
  "Repeats BODY until a RETURN leaves it."
  `(block nil (swankd::%loop ,@body)))

(defmacro when (test &body body) `(if ,test (progn ,@body) nil))
(defmacro unless (test &body body) `(if ,test nil (progn ,@body)))

(defun cond-and (forms)
  (if (null forms)
      t
      (if (null (cdr forms))
          (car forms)
          `(if ,(car forms) ,(cond-and (cdr forms)) nil))))

(defmacro and (&rest forms)
  (cond-and forms))

(defmacro or (&rest forms)
  (if (null forms)
      nil
      (if (null (cdr forms))
          (car forms)
          (let ((value (gensym "OR")))
            `(let ((,value ,(car forms)))
               (if ,value ,value (or ,@(cdr forms))))))))

(defmacro cond (&rest clauses)
  (if (null clauses)
      nil
      (let ((clause (car clauses)))
        (if (null (cdr clause))
            `(or ,(car clause) (cond ,@(cdr clauses)))
            `(if ,(car clause)
                 (progn ,@(cdr clause))
                 (cond ,@(cdr clauses)))))))

(defmacro return (&optional value) `(return-from nil ,value))

(defmacro prog1 (first &body rest)
  (let ((value (gensym "PROG1")))
    `(let ((,value ,first)) ,@rest ,value)))

(defmacro prog2 (first second &body rest)
  `(progn ,first (prog1 ,second ,@rest)))

(defmacro multiple-value-bind (vars form &body body)
  `(destructuring-bind (&optional ,@vars &rest ,(gensym "REST"))
       (multiple-value-list ,form)
     ,@body))

(defmacro nth-value (n form) `(nth ,n (multiple-value-list ,form)))

(defmacro dotimes ((var count &optional result) &body body)
  (let ((limit (gensym "LIMIT")))
    `(block nil
       (let ((,limit ,count) (,var 0))
         (swankd::%loop
           (when (>= ,var ,limit) (return ,result))
           ,@body
           (setq ,var (1+ ,var)))))))

(defmacro dolist ((var list &optional result) &body body)
  (let ((rest (gensym "REST")))
    `(block nil
       (let ((,rest ,list))
         (swankd::%loop
           (when (endp ,rest) (return (let ((,var nil)) ,var ,result)))
           (let ((,var (car ,rest)))
             ,@body)
           (setq ,rest (cdr ,rest)))))))

(defun caddr (x) (car (cddr x)))

(defun mapcar (function list &rest more)
  (if more
      (let ((lists (cons list more)) (result nil))
        (swankd::%repeat
          (when (some-endp lists) (return (nreverse result)))
          (setq result (cons (apply function (mapcar #'car lists)) result))
          (setq lists (mapcar #'cdr lists))))
      (let ((result nil))
        (dolist (item list (nreverse result))
          (setq result (cons (funcall function item) result))))))

(defun some-endp (lists)
  (dolist (list lists nil)
    (when (endp list) (return t))))

(defun member (item list &key (test #'eql) key)
  (swankd::%repeat
    (when (endp list) (return nil))
    (when (funcall test item (if key (funcall key (car list)) (car list)))
      (return list))
    (setq list (cdr list))))

(defun case-clauses (value clauses)
  (mapcar (lambda (clause)
            (let ((keys (car clause)))
              (cons (cond ((member keys '(t otherwise)) t)
                          ((listp keys) `(member ,value ',keys))
                          (t `(eql ,value ',keys)))
                    (or (cdr clause) '(nil)))))
          clauses))

(defmacro case (key &rest clauses)
  (let ((value (gensym "KEY")))
    `(let ((,value ,key))
       (cond ,@(case-clauses value clauses)))))

(defmacro ecase (key &rest clauses)
  (let ((value (gensym "KEY")))
    `(let ((,value ,key))
       (cond ,@(case-clauses value clauses)
             (t (error "~S fell through ECASE expression." ,value))))))

(defun reverse-pairs (items)
  (let ((result nil))
    (swankd::%repeat
      (when (null items) (return result))
      (setq result (cons (car items) (cons (cadr items) result)))
      (setq items (cddr items)))))

(defun do-expansion (let-operator set-operator bindings test result body)
  (let ((steps nil))
    (dolist (binding bindings)
      (when (and (consp binding) (cddr binding))
        (setq steps (cons (car binding) (cons (caddr binding) steps)))))
    `(block nil
       (,let-operator ,(mapcar (lambda (b) (if (consp b) (list (car b) (cadr b)) b)) bindings)
         (swankd::%loop
           (when ,test (return (progn ,@result)))
           ,@body
           (,set-operator ,@(reverse-pairs steps)))))))

(defmacro do (bindings (test &rest result) &body body)
  (do-expansion 'let 'psetq bindings test result body))

(defmacro do* (bindings (test &rest result) &body body)
  (do-expansion 'let* 'setq bindings test result body))

(defmacro psetq (&rest pairs)
  (let ((temps nil) (sets nil))
    (swankd::%repeat
      (when (null pairs) (return nil))
      (let ((temp (gensym "NEW")))
        (setq temps (cons (list temp (cadr pairs)) temps))
        (setq sets (cons (list 'setq (car pairs) temp) sets)))
      (setq pairs (cddr pairs)))
    `(let ,(reverse temps) ,@(reverse sets) nil)))

(defun setf-pairs (pairs)
  (if (null pairs)
      nil
      (cons (setf-expansion (car pairs) (cadr pairs))
            (setf-pairs (cddr pairs)))))

(defun setf-expansion (place value)
  (if (symbolp place)
      `(setq ,place ,value)
      (let ((operator (car place)) (args (cdr place)))
        (case operator
          ((car first) `(swankd::%set-car ,(car args) ,value))
          ((cdr rest) `(swankd::%set-cdr ,(car args) ,value))
          (second `(swankd::%set-car (cdr ,(car args)) ,value))
          (nth `(swankd::%set-car (nthcdr ,(car args) ,(cadr args)) ,value))
          (gethash `(swankd::%puthash ,(car args) ,(cadr args) ,value))
          (symbol-value `(set ,(car args) ,value))
          (get `(swankd::%put ,(car args) ,(cadr args) ,value))
          (t (let ((expansion (macroexpand-1 place)))
               (if (eq expansion place)
                   (error "unsupported in swankd: SETF of ~S" operator)
                   (setf-expansion expansion value))))))))

(defmacro setf (&rest pairs)
  (if (and pairs (cddr pairs))
      `(progn ,@(setf-pairs pairs))
      (setf-expansion (car pairs) (cadr pairs))))

(defmacro incf (place &optional (delta 1)) `(setf ,place (+ ,place ,delta)))
(defmacro decf (place &optional (delta 1)) `(setf ,place (- ,place ,delta)))
(defmacro push (item place) `(setf ,place (cons ,item ,place)))
(defmacro pop (place)
  (let ((value (gensym "LIST")))
    `(let ((,value ,place))
       (setf ,place (cdr ,value))
       (car ,value))))

(defmacro loop (&rest body)
  (if (and body (symbolp (car body)) (car body))
      (swankd::%loop-keywords body)
      `(block nil (swankd::%loop ,@body))))

(defmacro with-output-to-string ((var) &body body)
  `(let ((,var (make-string-output-stream)))
     ,@body
     (get-output-stream-string ,var)))

(defmacro in-package (name)
  `(setq *package* (swankd::%find-package-or-lose ',name)))

(defmacro declaim (&rest specs)
  `(progn ,@(mapcar (lambda (spec) `(proclaim ',spec)) specs) nil))

(defun proclaim (spec)
  (when (eq (car spec) 'special)
    (dolist (name (cdr spec)) (swankd::%declare-variable name :var nil)))
  nil)

(defun mapc (function list &rest more)
  (apply #'mapcar function list more)
  list)

(defun mapcan (function list &rest more)
  (apply #'append (apply #'mapcar function list more)))

(defun assoc (item alist &key (test #'eql) key)
  (dolist (pair alist nil)
    (when (and pair (funcall test item (if key (funcall key (car pair)) (car pair))))
      (return pair))))

(defun maphash (function table)
  (dolist (entry (swankd::%hash-table-entries table) nil)
    (funcall function (car entry) (cdr entry))))

(defun complement (function)
  (lambda (&rest args) (not (apply function args))))

(defun constantly (value)
  (lambda (&rest args) (declare (ignore args)) value))

(defun read-from-string (string &optional (eof-error-p t) eof-value &key (start 0) end)
  (declare (ignore end))
  (swankd::%read-from-string string eof-error-p eof-value start))

;;; LOOP with keywords: for/as (in, on, from/to/below/downto/by, = then), repeat, while,
;;; until, with, do, collect/append/nconc/sum/count/maximize/minimize (into), when/if/unless,
;;; return, initially, finally, named. Anything else is an error naming the clause.

(defun loop-keyword-p (form name)
  (and (symbolp form) form (string= (symbol-name form) name)))

(defun loop-keyword-in (form names)
  (and (symbolp form) form (member (symbol-name form) names :test #'string=)))

(defun swankd::%loop-keywords (clauses)
  (let ((name nil) (bindings nil) (iteration nil) (steps nil) (body nil)
        (initially nil) (finally nil) (result nil) (exit (gensym "LOOP-EXIT"))
        (accumulators nil))
    (labels ((next () (pop clauses))
             (peek () (car clauses))
             (keyword-p (name) (loop-keyword-p (peek) name))
             (exit-when (test) `(when ,test (return-from ,exit nil)))
             (accumulator (into)
               (let ((var (or into (gensym "ACC"))))
                 (unless (assoc var accumulators)
                   (push (list var nil) bindings)
                   (push (list var into) accumulators)
                   (unless into (setq result var)))
                 var))
             (compound-forms ()
               (let ((forms nil))
                 (swankd::%repeat
                   (when (or (null clauses) (and (symbolp (peek)) (peek))) (return (nreverse forms)))
                   (push (next) forms))))
             (action ()
               (let ((word (next)))
                 (cond
                   ((loop-keyword-in word '("DO" "DOING")) `(progn ,@(compound-forms)))
                   ((loop-keyword-p word "RETURN") `(return-from ,name ,(next)))
                   ((loop-keyword-in word '("COLLECT" "COLLECTING" "APPEND" "APPENDING" "NCONC" "NCONCING"
                                            "SUM" "SUMMING" "COUNT" "COUNTING" "MAXIMIZE" "MAXIMIZING"
                                            "MINIMIZE" "MINIMIZING"))
                    (let* ((form (next))
                           (into (when (keyword-p "INTO") (next) (next)))
                           (var (accumulator into))
                           (kind (symbol-name word)))
                      (cond ((member kind '("COLLECT" "COLLECTING") :test #'string=)
                             `(setq ,var (append ,var (list ,form))))
                            ((member kind '("APPEND" "APPENDING" "NCONC" "NCONCING") :test #'string=)
                             `(setq ,var (append ,var ,form)))
                            ((member kind '("SUM" "SUMMING") :test #'string=)
                             `(setq ,var (+ (or ,var 0) ,form)))
                            ((member kind '("COUNT" "COUNTING") :test #'string=)
                             `(setq ,var (+ (or ,var 0) (if ,form 1 0))))
                            ((member kind '("MAXIMIZE" "MAXIMIZING") :test #'string=)
                             (let ((v (gensym))) `(let ((,v ,form)) (setq ,var (if ,var (max ,var ,v) ,v)))))
                            (t (let ((v (gensym))) `(let ((,v ,form)) (setq ,var (if ,var (min ,var ,v) ,v))))))))
                   ((loop-keyword-in word '("WHEN" "IF" "UNLESS"))
                    (let* ((test (next))
                           (then (action))
                           (else (when (keyword-p "ELSE") (next) (action))))
                      (when (keyword-p "END") (next))
                      (if (loop-keyword-p word "UNLESS")
                          `(if ,test ,else ,then)
                          `(if ,test ,then ,else))))
                   (t (error "unsupported LOOP clause ~A" word))))))
      (when (keyword-p "NAMED") (next) (setq name (next)))
      (swankd::%repeat
        (when (null clauses) (return nil))
        (let ((word (peek)))
          (cond
            ((loop-keyword-in word '("FOR" "AS"))
             (next)
             (let ((var (next)) (how (next)))
               (cond
                 ((loop-keyword-p how "IN")
                  (let ((list (gensym "LIST")))
                    (push (list list (next)) bindings)
                    (push (list var nil) bindings)
                    (push (exit-when `(endp ,list)) iteration)
                    (push `(setq ,var (car ,list)) iteration)
                    (push `(setq ,list (cdr ,list)) steps)))
                 ((loop-keyword-p how "ON")
                  (let ((list (gensym "LIST")))
                    (push (list list (next)) bindings)
                    (push (list var nil) bindings)
                    (push (exit-when `(atom ,list)) iteration)
                    (push `(setq ,var ,list) iteration)
                    (push `(setq ,list (cdr ,list)) steps)))
                 ((loop-keyword-p how "=")
                  (let ((init (next)))
                    (push (list var nil) bindings)
                    (if (keyword-p "THEN")
                        (let ((first (gensym "FIRST")) (then (progn (next) (next))))
                          (push (list first t) bindings)
                          (push `(setq ,var (if ,first ,init ,then) ,first nil) iteration))
                        (push `(setq ,var ,init) iteration))))
                 ((loop-keyword-in how '("FROM" "UPFROM" "DOWNFROM"))
                  (let ((start (next)) (limit nil) (test nil) (by 1)
                        (down (loop-keyword-p how "DOWNFROM")))
                    (swankd::%repeat
                      (cond ((loop-keyword-in (peek) '("TO" "UPTO")) (next) (setq limit (next) test '>))
                            ((loop-keyword-p (peek) "BELOW") (next) (setq limit (next) test '>=))
                            ((loop-keyword-p (peek) "DOWNTO") (next) (setq limit (next) test '< down t))
                            ((loop-keyword-p (peek) "ABOVE") (next) (setq limit (next) test '<= down t))
                            ((loop-keyword-p (peek) "BY") (next) (setq by (next)))
                            (t (return nil))))
                    (push (list var start) bindings)
                    (when limit
                      (let ((end (gensym "END")))
                        (push (list end limit) bindings)
                        (push (exit-when `(,test ,var ,end)) iteration)))
                    (push `(setq ,var (,(if down '- '+) ,var ,by)) steps)))
                 (t (error "unsupported LOOP clause FOR ~A ~A" var how)))))
            ((loop-keyword-p word "REPEAT")
             (next)
             (let ((count (gensym "COUNT")))
               (push (list count (next)) bindings)
               (push (exit-when `(<= ,count 0)) iteration)
               (push `(setq ,count (1- ,count)) iteration)))
            ((loop-keyword-p word "WITH")
             (next)
             (let ((var (next)))
               (push (list var (when (keyword-p "=") (next) (next))) bindings)))
            ((loop-keyword-p word "WHILE") (next) (push (exit-when `(not ,(next))) body))
            ((loop-keyword-p word "UNTIL") (next) (push (exit-when (next)) body))
            ((loop-keyword-p word "INITIALLY") (next) (setq initially (append initially (compound-forms))))
            ((loop-keyword-p word "FINALLY") (next) (setq finally (append finally (compound-forms))))
            (t (push (action) body)))))
      `(block ,name
         (let* ,(reverse bindings)
           ,@initially
           (block ,exit
             (swankd::%loop ,@(reverse iteration) ,@(reverse body) ,@(reverse steps)))
           ,@finally
           ,result)))))

(defun some (predicate list &rest more)
  (if more
      (dolist (args (apply #'mapcar #'list list more) nil)
        (let ((result (apply predicate args))) (when result (return result))))
      (dolist (item list nil)
        (let ((result (funcall predicate item))) (when result (return result))))))

(defun every (predicate list &rest more)
  (not (apply #'some (complement predicate) list more)))

;;; Conditions. Errors raised by the VM and builtins arrive through SWANKD::%SIGNAL-ERROR.
;;; Handlers and restarts live in special variables, so unwinding restores them.

(defvar swankd::*handler-clusters* nil)
(defvar swankd::*restart-clusters* nil)
(defvar *debugger-hook* nil)
(defvar *break-on-signals* nil)

(defun swankd::%define-condition-type (name parents slots report)
  (swankd::%put name 'swankd::condition-parents parents)
  (swankd::%put name 'swankd::condition-slots slots)
  (swankd::%put name 'swankd::condition-report report)
  (swankd::%put name 'swankd::condition-type t)
  name)

(defun swankd::%condition-type-p (name)
  (and (symbolp name) (get name 'swankd::condition-type)))

(defun swankd::%condition-subtype-p (type parent)
  (or (eq type parent)
      (eq parent t)
      (dolist (super (get type 'swankd::condition-parents) nil)
        (when (swankd::%condition-subtype-p super parent) (return t)))))

(defun swankd::%condition-matches-p (condition spec)
  (cond ((eq spec t) t)
        ((symbolp spec) (swankd::%condition-subtype-p (swankd::%condition-type condition) spec))
        ((eq (car spec) 'or)
         (dolist (sub (cdr spec) nil) (when (swankd::%condition-matches-p condition sub) (return t))))
        ((eq (car spec) 'and)
         (dolist (sub (cdr spec) t) (unless (swankd::%condition-matches-p condition sub) (return nil))))
        ((eq (car spec) 'not) (not (swankd::%condition-matches-p condition (cadr spec))))
        (t nil)))

(defun swankd::%all-condition-slots (type)
  (let ((slots (get type 'swankd::condition-slots)))
    (dolist (parent (get type 'swankd::condition-parents) slots)
      (setq slots (append slots (swankd::%all-condition-slots parent))))))

(defun swankd::%condition-report-of (type)
  (or (get type 'swankd::condition-report)
      (dolist (parent (get type 'swankd::condition-parents) nil)
        (let ((report (swankd::%condition-report-of parent)))
          (when report (return report))))))

(defun swankd::%compute-report (condition)
  (let* ((type (swankd::%condition-type condition))
         (report (swankd::%condition-report-of type)))
    (cond ((stringp report) report)
          (report (with-output-to-string (stream) (funcall report condition stream)))
          ((swankd::%condition-subtype-p type 'simple-condition)
           (apply #'format nil
                  (swankd::%condition-slot condition 'format-control "")
                  (swankd::%condition-slot condition 'format-arguments nil)))
          (t (format nil "Condition ~S was signalled." type)))))

(defun swankd::%plist-find (plist key)
  "The tail of PLIST starting at KEY, or NIL."
  (swankd::%repeat
    (when (null plist) (return nil))
    (when (eq (car plist) key) (return plist))
    (setq plist (cddr plist))))

(defun make-condition (type &rest initargs)
  (unless (swankd::%condition-type-p type)
    (error "~S is not a defined condition type." type))
  (let ((condition (swankd::%make-condition type)))
    (dolist (slot (swankd::%all-condition-slots type))
      (let ((found (swankd::%plist-find initargs (cadr slot))))
        (cond (found (swankd::%set-condition-slot condition (car slot) (cadr found)))
              ((caddr slot) (swankd::%set-condition-slot condition (car slot) (funcall (caddr slot)))))))
    ;; The report is computed now; labelling shared structure keeps a circular datum
    ;; from printing forever.
    (let ((*print-circle* t))
      (swankd::%set-condition-message condition (swankd::%compute-report condition)))
    condition))

(defmacro define-condition (name parents slot-specs &rest options)
  (let ((report (cadr (assoc :report options)))
        (readers nil))
    (dolist (spec slot-specs)
      (when (consp spec)
        (let ((reader (or (getf (cdr spec) :reader) (getf (cdr spec) :accessor))))
          (when reader
            (push `(defun ,reader (condition) (swankd::%condition-slot condition ',(car spec))) readers)))))
    `(progn
       (swankd::%define-condition-type
        ',name ',(or parents '(condition))
        (list ,@(mapcar (lambda (spec)
                          (let ((spec (if (consp spec) spec (list spec))))
                            `(list ',(car spec) ',(getf (cdr spec) :initarg)
                                   ,(if (swankd::%plist-find (cdr spec) :initform)
                                        `(lambda () ,(getf (cdr spec) :initform))
                                        nil))))
                        slot-specs))
        ,(cond ((stringp report) report)
               (report `(function ,report))
               (t nil)))
       ,@readers
       ',name)))

(swankd::%define-condition-type 'condition nil nil nil)
(swankd::%define-condition-type 'serious-condition '(condition) nil nil)
(swankd::%define-condition-type 'error '(serious-condition) nil nil)
(swankd::%define-condition-type 'warning '(condition) nil nil)
(swankd::%define-condition-type 'style-warning '(warning) nil nil)
(swankd::%define-condition-type 'simple-condition '(condition)
                                '((format-control :format-control nil) (format-arguments :format-arguments nil)) nil)
(swankd::%define-condition-type 'simple-error '(simple-condition error) nil nil)
(swankd::%define-condition-type 'simple-warning '(simple-condition warning) nil nil)
(swankd::%define-condition-type 'type-error '(error) '((datum :datum nil) (expected-type :expected-type nil))
                                (lambda (c s)
                                  (format s "The value~%  ~S~%is not of type~%  ~S"
                                          (swankd::%condition-slot c 'datum nil)
                                          (swankd::%condition-slot c 'expected-type nil))))
(swankd::%define-condition-type 'simple-type-error '(simple-condition type-error) nil nil)
(swankd::%define-condition-type 'program-error '(error) nil nil)
(swankd::%define-condition-type 'control-error '(error) nil nil)
(swankd::%define-condition-type 'cell-error '(error) '((name :name nil)) nil)
(swankd::%define-condition-type 'unbound-variable '(cell-error) nil
                                (lambda (c s) (format s "The variable ~S is unbound." (swankd::%condition-slot c 'name nil))))
(swankd::%define-condition-type 'undefined-function '(cell-error) nil
                                (lambda (c s) (format s "The function ~S is undefined." (swankd::%condition-slot c 'name nil))))
(swankd::%define-condition-type 'arithmetic-error '(error) '((operation :operation nil) (operands :operands nil)) nil)
(swankd::%define-condition-type 'division-by-zero '(arithmetic-error) nil "arithmetic error DIVISION-BY-ZERO signalled")
(swankd::%define-condition-type 'storage-condition '(serious-condition) nil nil)
(swankd::%define-condition-type 'stream-error '(error) '((stream :stream nil)) nil)
(swankd::%define-condition-type 'end-of-file '(stream-error) nil "end of file")
(swankd::%define-condition-type 'parse-error '(error) nil nil)
(swankd::%define-condition-type 'reader-error '(parse-error stream-error) nil nil)
(swankd::%define-condition-type 'package-error '(error) '((package :package nil)) nil)

(defun simple-condition-format-control (c) (swankd::%condition-slot c 'format-control))
(defun simple-condition-format-arguments (c) (swankd::%condition-slot c 'format-arguments))
(defun type-error-datum (c) (swankd::%condition-slot c 'datum))
(defun type-error-expected-type (c) (swankd::%condition-slot c 'expected-type))
(defun cell-error-name (c) (swankd::%condition-slot c 'name))

(defun swankd::%coerce-to-condition (datum arguments default-type)
  (cond ((swankd::%conditionp datum) datum)
        ((symbolp datum) (apply #'make-condition datum arguments))
        ((stringp datum) (make-condition default-type :format-control datum :format-arguments arguments))
        (t (error 'simple-type-error
                  :datum datum :expected-type '(or string symbol condition)
                  :format-control "~S cannot designate a condition."
                  :format-arguments (list datum)))))

(defun swankd::%run-handlers (condition)
  (let ((clusters swankd::*handler-clusters*))
    (swankd::%repeat
      (when (null clusters) (return nil))
      (let ((cluster (car clusters)))
        (setq clusters (cdr clusters))
        (let ((swankd::*handler-clusters* clusters))
          (dolist (handler cluster)
            (when (swankd::%condition-matches-p condition (car handler))
              (funcall (cdr handler) condition))))))))

(defvar swankd::*debugger* nil
  "A function of a condition and a frame count that shows a debugger to the user (SLDB,
set by swank), or NIL. Used for threads that serve Emacs; it returns only by a restart.")

(defun invoke-debugger (condition)
  (let ((hook *debugger-hook*))
    (when hook
      (let ((*debugger-hook* nil))
        (funcall hook condition hook))))
  ;; A macro expander cannot wait for Emacs; its error reaches the debugger from the
  ;; evaluation that was compiling.
  (when (and swankd::*debugger* (not (swankd::%nested-evaluation-p)))
    (let ((disposition (swankd::%debugger-disposition)))
      (unless (eq disposition :show)
        (swankd::%log-unshown-error
         (format nil "unhandled ~A: ~A~%with no Emacs connected; ~:[the thread ends~;the thread waits in the debugger until a client opens a REPL~].~%Backtrace:~%~{  ~A~%~}"
                 (swankd::%condition-type condition) condition (eq disposition :park)
                 (mapcar #'cadr (swankd::%backtrace 0 20 (swankd::%frame-count))))))
      (case disposition
        ((:show :park) (funcall swankd::*debugger* condition (swankd::%frame-count)))
        (:abort (let ((restart (find-restart 'abort)))
                  (when restart (invoke-restart restart)))))))
  (swankd::%enter-debugger condition))

(defun signal (datum &rest arguments)
  (swankd::%run-handlers (swankd::%coerce-to-condition datum arguments 'simple-condition))
  nil)

(defun error (datum &rest arguments)
  (let ((condition (swankd::%coerce-to-condition datum arguments 'simple-error)))
    (swankd::%run-handlers condition)
    (invoke-debugger condition)))

(defmacro handler-bind (bindings &body body)
  `(let ((swankd::*handler-clusters*
           (cons (list ,@(mapcar (lambda (binding) `(cons ',(car binding) ,(cadr binding))) bindings))
                 swankd::*handler-clusters*)))
     ,@body))

(defmacro handler-case (form &rest clauses)
  (let ((no-error (assoc :no-error clauses)))
    (if no-error
        (let ((outer (gensym "HANDLER-CASE")) (values (gensym "VALUES")))
          `(block ,outer
             (let ((,values (multiple-value-list
                             (handler-case ,form
                               ,@(mapcar (lambda (clause)
                                           `(,(car clause) ,(cadr clause) (return-from ,outer (progn ,@(cddr clause)))))
                                         (remove-clause :no-error clauses))))))
               (apply (lambda ,(cadr no-error) ,@(cddr no-error)) ,values))))
        (let ((block (gensym "HANDLER-CASE"))
              (var (gensym "CONDITION"))
              (tags (mapcar (lambda (clause) (declare (ignore clause)) (gensym "HANDLER")) clauses)))
          `(block ,block
             (let ((,var nil))
               (tagbody
                  (return-from ,block
                    (handler-bind ,(mapcar (lambda (clause tag)
                                             `(,(car clause) (lambda (condition) (setq ,var condition) (go ,tag))))
                                           clauses tags)
                      ,form))
                  ,@(mapcan (lambda (clause tag)
                              (list tag
                                    `(return-from ,block
                                       ,(if (cadr clause)
                                            `(let ((,(car (cadr clause)) ,var)) ,@(cddr clause))
                                            `(progn ,@(cddr clause))))))
                            clauses tags))))))))

(defun remove-clause (key clauses)
  (let ((result nil))
    (dolist (clause clauses (nreverse result))
      (unless (eq (car clause) key) (push clause result)))))

(defmacro ignore-errors (&body body)
  `(handler-case (progn ,@body)
     (error (condition) (values nil condition))))

;;; Restarts: (:restart NAME FUNCTION REPORT)

(defun swankd::%make-restart (name function report)
  (list :restart name function report))

(defun restart-name (restart) (cadr restart))

(defun swankd::%restart-report (restart)
  (let ((report (cadddr restart)))
    (cond ((stringp report) report)
          (report (with-output-to-string (stream) (funcall report stream)))
          (t (format nil "~A" (restart-name restart))))))

(defun cadddr (x) (car (cdr (cddr x))))

(defun compute-restarts (&optional condition)
  (declare (ignore condition))
  (let ((result nil))
    (dolist (cluster swankd::*restart-clusters* (nreverse result))
      (dolist (restart cluster) (push restart result)))))

(defun find-restart (identifier &optional condition)
  (declare (ignore condition))
  (dolist (restart (compute-restarts) nil)
    (when (or (eq restart identifier) (eq (restart-name restart) identifier))
      (return restart))))

(defun invoke-restart (restart &rest arguments)
  (let ((found (find-restart restart)))
    (unless found
      (error 'control-error :format-control "No restart ~S is active." :format-arguments (list restart)))
    (apply (caddr found) arguments)))

(defun swankd::%restart-clause-parts (body)
  "Splits a RESTART-CASE clause body into its :report value and its forms."
  (let ((report nil))
    (swankd::%repeat
      (cond ((eq (car body) :report) (setq report (cadr body) body (cddr body)))
            ((member (car body) '(:interactive :test)) (setq body (cddr body)))
            (t (return (list report body)))))))

(defmacro restart-case (form &rest clauses)
  (let ((block (gensym "RESTART-CASE"))
        (arguments (gensym "ARGUMENTS"))
        (tags (mapcar (lambda (clause) (declare (ignore clause)) (gensym "RESTART")) clauses)))
    `(block ,block
       (let ((,arguments nil))
         (tagbody
            (let ((swankd::*restart-clusters*
                    (cons (list ,@(mapcar (lambda (clause tag)
                                            (let ((report (car (swankd::%restart-clause-parts (cddr clause)))))
                                              `(swankd::%make-restart
                                                ',(car clause)
                                                (lambda (&rest temp) (setq ,arguments temp) (go ,tag))
                                                ,(if (or (stringp report) (null report)) report `(function ,report)))))
                                          clauses tags))
                          swankd::*restart-clusters*)))
              (return-from ,block ,form))
            ,@(mapcan (lambda (clause tag)
                        (list tag
                              `(return-from ,block
                                 (apply (lambda ,(cadr clause) ,@(cadr (swankd::%restart-clause-parts (cddr clause))))
                                        ,arguments))))
                      clauses tags))))))

(defmacro with-simple-restart ((name control &rest arguments) &body body)
  `(restart-case (progn ,@body)
     (,name () :report (lambda (stream) (format stream ,control ,@arguments)) (values nil t))))

(defun swankd::%signal-error (condition)
  "Signals CONDITION, an error raised by an operation; what this returns stands for the
operation's value. An unbound variable offers CONTINUE (read it again), USE-VALUE and
STORE-VALUE, as SBCL does."
  (if (swankd::%condition-matches-p condition 'unbound-variable)
      (let ((name (cell-error-name condition)))
        (restart-case (progn (swankd::%run-handlers condition)
                             (invoke-debugger condition))
          (continue () :report (lambda (stream) (format stream "Retry using ~A." name))
            (symbol-value name))
          (use-value (value) :report "Use specified value."
            value)
          (store-value (value) :report "Set specified value and use it."
            (setf (symbol-value name) value))))
      (progn (swankd::%run-handlers condition)
             (invoke-debugger condition))))

(defun abort (&optional condition)
  (declare (ignore condition))
  (invoke-restart 'abort))

(defun continue (&optional condition)
  (declare (ignore condition))
  (let ((restart (find-restart 'continue)))
    (when restart (invoke-restart restart))))

(defun muffle-warning (&optional condition)
  (declare (ignore condition))
  (invoke-restart 'muffle-warning))

(defun use-value (value &optional condition)
  (declare (ignore condition))
  (let ((restart (find-restart 'use-value)))
    (when restart (invoke-restart restart value))))

(defun store-value (value &optional condition)
  (declare (ignore condition))
  (let ((restart (find-restart 'store-value)))
    (when restart (invoke-restart restart value))))

(defun cerror (continue-control datum &rest arguments)
  (restart-case (apply #'error datum arguments)
    (continue () :report (lambda (stream) (apply #'format stream continue-control arguments)) nil)))

(defun warn (datum &rest arguments)
  (let ((condition (swankd::%coerce-to-condition datum arguments 'simple-warning)))
    (restart-case
        (progn
          (swankd::%run-handlers condition)
          (format *error-output* "~&WARNING: ~A~%" condition))
      (muffle-warning () nil))
    nil))

(defun swankd::%call-with-abort-restart (function)
  "Runs FUNCTION with the ABORT restart of a request: invoking it ends the request. The
reply then names the error that first reached the debugger, as swank's does."
  (let ((condition nil))
    (restart-case (handler-bind ((error (lambda (c) (unless condition (setq condition c)))))
                    (funcall function))
      (abort () :report "Return to SLIME's top level."
        (swankd::%abort-request
         (and condition
              (let ((*print-circle* t) (*print-length* 10) (*print-level* 4))
                (format nil "#<~A ~S>" (swankd::%condition-type condition)
                        (princ-to-string condition)))))))))

;;;; Units of change: loading files and regions that install together or not at all.

(defun swankd::%call-as-unit (thunk)
  "Calls THUNK as one unit of change: the global definitions and assignments it makes are
seen by other threads only once it returns, and not at all if it exits otherwise."
  (let ((done nil))
    (swankd::%begin-unit)
    (unwind-protect (multiple-value-prog1 (funcall thunk) (setq done t))
      (swankd::%end-unit done))))

(defun swankd::%report-failed-unit (what form)
  "Says on *ERROR-OUTPUT* which form of WHAT failed, so nothing of WHAT was installed."
  (let ((*print-length* 4) (*print-level* 2))
    (format *error-output* "~&; nothing of ~A was installed: ~:[reading it~;~:*~S~] failed~%"
            what form)))

(defun swankd::%eval-forms-as-unit (text what &optional announce)
  "Reads and evaluates every form of the string TEXT as one unit; returns the values of
the last form as a list. WHAT names TEXT in the message that says which form failed.
ANNOUNCE: say \"; processing FORM\" before each form, as SBCL's compiler does."
  (let ((position 0) (values nil) (form nil) (eof (make-symbol "EOF")))
    (swankd::%call-as-unit
     (lambda ()
       (handler-bind ((error (lambda (condition)
                               (declare (ignore condition))
                               (swankd::%report-failed-unit what form))))
         (swankd::%repeat
           (multiple-value-bind (next-form next) (read-from-string text nil eof :start position)
             (when (eq next-form eof) (return values))
             (setq form next-form)
             (when announce
               (let ((*print-length* 2) (*print-level* 2))
                 (format t "~&; processing ~S" form)))
             (setq values (multiple-value-list (eval form)))
             (setq form nil)
             (setq position next))))))))

(defun load (pathname &key verbose print if-does-not-exist external-format)
  "Evaluates the forms of the file PATHNAME in order, as one unit of change."
  (declare (ignore verbose print if-does-not-exist external-format))
  (let ((text (swankd::%file-string (string pathname)))
        (*package* *package*))
    (swankd::%eval-forms-as-unit text (string pathname))
    t))

(defmacro with-standard-io-syntax (&body body)
  "Evaluates BODY with the standard values of the printer and reader variables swankd
has (*PRINT-READABLY* is bound to T but does not make unreadable objects an error yet)."
  `(let ((*package* (find-package "COMMON-LISP-USER"))
         (*print-base* 10) (*print-radix* nil) (*print-case* :upcase) (*print-escape* t)
         (*print-circle* nil) (*print-length* nil) (*print-level* nil) (*print-readably* t)
         (*read-base* 10) (*read-eval* t))
     ,@body))
