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

(defmacro multiple-value-call (function &rest forms)
  "Calls FUNCTION with every value of each of FORMS, in order, as its arguments."
  (let ((f (gensym "FUNCTION")))
    `(let ((,f ,function))
       (apply ,f (append ,@(mapcar (lambda (form) `(multiple-value-list ,form)) forms))))))

(defmacro multiple-value-setq (vars form)
  "Sets VARS to the values of FORM (NIL where it has fewer); returns its primary value."
  (let ((values (gensym "VALUES")))
    `(let ((,values (multiple-value-list ,form)))
       ,@(let ((index -1))
           (mapcar (lambda (var) `(setf ,var (nth ,(setq index (+ index 1)) ,values))) vars))
       (car ,values))))

(defun swankd::%prog (binder bindings body)
  (let ((declarations nil))
    (swankd::%repeat
      (unless (and (consp (car body)) (eq (caar body) 'declare))
        (return nil))
      (setq declarations (cons (car body) declarations) body (cdr body)))
    `(block nil (,binder ,bindings ,@(nreverse declarations) (tagbody ,@body)))))

(defmacro prog (bindings &body body)
  "Binds BINDINGS in parallel around BODY, a TAGBODY inside a BLOCK named NIL."
  (swankd::%prog 'let bindings body))

(defmacro prog* (bindings &body body)
  "Binds BINDINGS in sequence around BODY, a TAGBODY inside a BLOCK named NIL."
  (swankd::%prog 'let* bindings body))

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
             (declare (ignorable ,var))
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

(defun member (item list &key test test-not key)
  (swankd::%repeat
    (when (endp list) (return nil))
    (let ((x (if key (funcall key (car list)) (car list))))
      (when (cond (test (funcall test item x))
                  (test-not (not (funcall test-not item x)))
                  (t (eql item x)))
        (return list)))
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
  (let ((value (gensym "KEY"))
        (keys (mapcan (lambda (clause)
                        (if (listp (car clause)) (copy-list (car clause)) (list (car clause))))
                      clauses)))
    `(let ((,value ,key))
       (cond ,@(case-clauses value clauses)
             (t (swankd::%case-failure ,value 'ecase ',keys '(member ,@keys)))))))

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
          (third `(swankd::%set-car (cddr ,(car args)) ,value))
          ((fourth fifth sixth seventh eighth ninth tenth)
           `(swankd::%set-car (nthcdr ,(cdr (assoc operator '((fourth . 3) (fifth . 4) (sixth . 5) (seventh . 6)
                                                              (eighth . 7) (ninth . 8) (tenth . 9))))
                                      ,(car args))
                              ,value))
          (cadr `(swankd::%set-car (cdr ,(car args)) ,value))
          (cddr `(swankd::%set-cdr (cdr ,(car args)) ,value))
          (caar `(swankd::%set-car (car ,(car args)) ,value))
          (cdar `(swankd::%set-cdr (car ,(car args)) ,value))
          (nthcdr `(swankd::%set-cdr (nthcdr (1- ,(car args)) ,(cadr args)) ,value))
          (aref `(swankd::%array-set ,@args ,value))
          (row-major-aref `(swankd::%row-major-store ,(car args) ,(cadr args) ,value))
          ((elt char schar svref) `(swankd::%seq-store ,(car args) ,(cadr args) ,value))
          (fill-pointer `(swankd::%set-fill-pointer ,(car args) ,value))
          (getf (let ((new (gensym "NEW")))
                  `(let ((,new ,value))
                     ,(setf-expansion (car args) `(swankd::%putf ,(car args) ,(cadr args) ,new))
                     ,new)))
          (nth `(swankd::%set-car (nthcdr ,(car args) ,(cadr args)) ,value))
          (gethash `(swankd::%puthash ,(car args) ,(cadr args) ,value))
          (symbol-value `(set ,(car args) ,value))
          (get `(swankd::%put ,(car args) ,(cadr args) ,value))
          (t (let ((expansion (macroexpand-1 place))
                   (expander (get operator 'swankd::setf-expander)))
               (when expander
                 (return-from setf-expansion (apply expander value args)))
               (if (eq expansion place)
                   (setf-function-call operator args value)
                   (setf-expansion expansion value))))))))

(defun setf-function-call (operator args value)
  "A call of the function (SETF OPERATOR) with VALUE and the place's ARGS, evaluated left
to right as the place's subforms and then the value."
  (let ((temps (mapcar (lambda (arg) (declare (ignore arg)) (gensym "ARG")) args))
        (new (gensym "NEW")))
    `(let* (,@(mapcar #'list temps args) (,new ,value))
       (funcall (function (setf ,operator)) ,new ,@temps))))

(defmacro setf (&rest pairs)
  (if (and pairs (cddr pairs))
      `(progn ,@(setf-pairs pairs))
      (setf-expansion (car pairs) (cadr pairs))))

(defmacro defsetf (access-fn &rest rest)
  (if (and rest (symbolp (car rest)))
      `(progn (swankd::%put ',access-fn 'swankd::setf-expander
                            (lambda (value &rest args) (append (list ',(car rest)) args (list value))))
              ',access-fn)
      (destructuring-bind (lambda-list (store) &body body) rest
        `(progn (swankd::%put ',access-fn 'swankd::setf-expander
                              (lambda (value &rest args)
                                (let ((temp (gensym "STORE")))
                                  (list 'let (list (list temp value))
                                        (apply (lambda (,store ,@lambda-list) ,@body) temp args)))))
                ',access-fn))))

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

(defmacro with-output-to-string ((var &optional string &key element-type) &body body)
  "Runs BODY with VAR bound to a string output stream; returns what was written, or, given
STRING (which must have a fill pointer), appends it to STRING and returns BODY's values."
  (declare (ignore element-type))
  (if string
      (let ((target (gensym "STRING")))
        `(let ((,target ,string) (,var (make-string-output-stream)))
           (unwind-protect (progn ,@body)
             (swankd::%append-to-string ,target (get-output-stream-string ,var)))))
      `(let ((,var (make-string-output-stream)))
         ,@body
         (get-output-stream-string ,var))))

(defmacro with-input-from-string ((var string &key start end index) &body body)
  (when index
    (error "unsupported in swankd: WITH-INPUT-FROM-STRING with :INDEX"))
  `(let ((,var (make-string-input-stream ,string ,(or start 0) ,end)))
     ,@body))

(defun swankd::%format-with-function (destination function arguments)
  "FORMAT whose control is FUNCTION: FUNCTION is applied to the stream DESTINATION names
and ARGUMENTS."
  (cond ((null destination)
         (with-output-to-string (stream) (apply function stream arguments)))
        ((stringp destination)
         (with-output-to-string (stream destination) (apply function stream arguments))
         nil)
        (t
         (apply function (if (eq destination t) *standard-output* destination) arguments)
         nil)))

(defmacro formatter (control-string)
  (unless (stringp control-string)
    (error 'type-error :datum control-string :expected-type 'string))
  (let ((stream (gensym "STREAM"))
        (arguments (gensym "ARGUMENTS")))
    `(function (lambda (,stream &rest ,arguments)
       (swankd::%formatter-apply ,stream ,control-string ,arguments)))))

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

(defun assoc (item alist &key test test-not key)
  (dolist (pair alist nil)
    (when pair
      (let ((x (if key (funcall key (car pair)) (car pair))))
        (when (cond (test (funcall test item x))
                    (test-not (not (funcall test-not item x)))
                    (t (eql item x)))
          (return pair))))))

(defun maphash (function table)
  (dolist (entry (swankd::%hash-table-entries table) nil)
    (funcall function (car entry) (cdr entry))))

(defmacro with-hash-table-iterator ((name hash-table) &body body)
  "Defines NAME as a local macro: each (NAME) gives T, a key and its value, for each entry
of HASH-TABLE as it was on entry, then NIL."
  (let ((entries (gensym "ENTRIES")))
    `(let ((,entries (swankd::%hash-table-entries ,hash-table)))
       (macrolet ((,name () '(swankd::%next-entry ,entries)))
         ,@body))))

(defmacro swankd::%next-entry (entries)
  (let ((entry (gensym "ENTRY")))
    `(let ((,entry (pop ,entries)))
       (if ,entry (values t (car ,entry) (cdr ,entry)) nil))))

(defun complement (function)
  (lambda (&rest args) (not (apply function args))))

(defun constantly (value)
  (lambda (&rest args) (declare (ignore args)) value))

(defun read-from-string (string &optional (eof-error-p t) eof-value
                         &key (start 0) end preserve-whitespace)
  (multiple-value-bind (form position read-eval-p)
      (swankd::%read-from-string string eof-error-p eof-value start end preserve-whitespace)
    (values (if read-eval-p (swankd::%resolve-read-evals form) form) position)))

(defun swankd::%resolve-read-evals (form)
  "FORM with each (SWANKD::%READ-EVAL X) the reader made of #.X replaced by X's value,
innermost first."
  (cond ((and (consp form) (eq (car form) 'swankd::%read-eval))
         (eval (swankd::%resolve-read-evals (cadr form))))
        ((consp form)
         (let ((head (swankd::%resolve-read-evals (car form)))
               (tail (swankd::%resolve-read-evals (cdr form))))
           (if (and (eq head (car form)) (eq tail (cdr form))) form (cons head tail))))
        ((and (vectorp form) (not (stringp form)))
         (map 'vector #'swankd::%resolve-read-evals form))
        (t form)))

;;; LOOP with keywords: for/as (in, on, across, from/to/below/downto/by, = then, being the
;;; hash-keys/hash-values), repeat, while, until, with, do, collect/append/nconc/sum/count/
;;; maximize/minimize (into), when/if/unless with AND, ELSE, END and IT, always/never/thereis,
;;; return, initially, finally, named; destructuring patterns and type specs (OF-TYPE, FIXNUM,
;;; FLOAT, T) after variables. Anything else is an error naming the clause.

(defun loop-keyword-p (form name)
  (and (symbolp form) form (string= (symbol-name form) name)))

(defun loop-keyword-in (form names)
  (and (symbolp form) form (member (symbol-name form) names :test #'string=)))

(defun swankd::%loop-vars (pattern)
  "The variables of a LOOP destructuring PATTERN (NIL parts are ignored)."
  (cond ((null pattern) nil)
        ((symbolp pattern) (list pattern))
        (t (append (swankd::%loop-vars (car pattern)) (swankd::%loop-vars (cdr pattern))))))

(defun swankd::%loop-assign (pattern form)
  "A form setting the variables of PATTERN from the value of FORM."
  (if (symbolp pattern)
      `(setq ,pattern ,form)
      (let ((temp (gensym "ITEM")))
        (labels ((walk (pattern access)
                   (cond ((null pattern) nil)
                         ((symbolp pattern) (list `(setq ,pattern ,access)))
                         (t (append (walk (car pattern) `(car ,access))
                                    (walk (cdr pattern) `(cdr ,access)))))))
          `(let ((,temp ,form)) ,@(walk pattern temp))))))

(defun swankd::%loop-bindings (pattern form)
  "LET* bindings giving the variables of PATTERN their parts of FORM's value."
  (if (symbolp pattern)
      (list (list pattern form))
      (let ((temp (gensym "ITEM")))
        (labels ((walk (pattern access)
                   (cond ((null pattern) nil)
                         ((symbolp pattern) (list (list pattern access)))
                         (t (append (walk (car pattern) `(car ,access))
                                    (walk (cdr pattern) `(cdr ,access)))))))
          (cons (list temp form) (walk pattern temp))))))

(defun swankd::%loop-step (by)
  (if (and (realp by) (plusp by))
      by
      (error 'type-error :datum by :expected-type '(and real (satisfies plusp)))))

(defun swankd::%loop-keywords (clauses)
  (let ((name nil) (bindings nil) (iteration nil) (steps nil) (body nil)
        (initially nil) (finally nil) (result nil) (exit 'swankd::%loop-exit)
        (accumulators nil) (default-accumulator nil) (tails nil) (current-it nil)
        (pending nil) (grouped nil) (group-steps nil))
    (labels ((next () (pop clauses))
             (peek () (car clauses))
             (keyword-p (name) (loop-keyword-p (peek) name))
             (skip-type ()
               ;; Types only declare; the loop does not check them.
               (cond ((keyword-p "OF-TYPE") (next) (next))
                     ((loop-keyword-in (peek) '("FIXNUM" "FLOAT" "T")) (next))))
             (next-form ()
               ;; IT in a clause under WHEN/IF/UNLESS is the value of the test.
               (let ((form (next)))
                 (if (and current-it (loop-keyword-p form "IT")) current-it form)))
             (actions ()
               ;; ACTION [AND ACTION]...
               (let ((forms (list (action))))
                 (swankd::%repeat
                   (unless (keyword-p "AND") (return `(progn ,@(nreverse forms))))
                   (next)
                   (push (action) forms))))
             (exit-when (test) `(when ,test (return-from ,exit nil)))
             (accumulator (into initial)
               ;; The clauses without INTO (COLLECT x ELSE COLLECT y) build one result.
               (let ((var (or into default-accumulator
                              (setq default-accumulator (gensym "ACC")))))
                 (unless (assoc var accumulators)
                   (push (list var initial) bindings)
                   (push (list var into) accumulators)
                   (unless into (setq result var)))
                 var))
             (tail-of (var)
               ;; The last cons of a list accumulator, so that COLLECT adds in constant time.
               (or (cdr (assoc var tails))
                   (let ((tail (gensym "TAIL")))
                     (push (list tail nil) bindings)
                     (push (cons var tail) tails)
                     tail)))
             (add-conses (var tail conses)
               (let ((new (gensym "NEW")))
                 `(let ((,new ,conses))
                    (when ,new
                      (if ,var (rplacd ,tail ,new) (setq ,var ,new))
                      (setq ,tail (last ,new))))))
             (compound-forms ()
               (let ((forms nil))
                 (swankd::%repeat
                   (when (or (null clauses) (and (symbolp (peek)) (peek))) (return (nreverse forms)))
                   (push (next) forms))))
             (action ()
               (let ((word (next)))
                 (cond
                   ((loop-keyword-in word '("DO" "DOING")) `(progn ,@(compound-forms)))
                   ((loop-keyword-p word "RETURN") `(return-from ,name ,(next-form)))
                   ((loop-keyword-p word "ALWAYS")
                    (unless result (setq result t))
                    `(unless ,(next) (return-from ,name nil)))
                   ((loop-keyword-p word "NEVER")
                    (unless result (setq result t))
                    `(when ,(next) (return-from ,name nil)))
                   ((loop-keyword-p word "THEREIS")
                    (let ((v (gensym "THEREIS")))
                      `(let ((,v ,(next))) (when ,v (return-from ,name ,v)))))
                   ((loop-keyword-in word '("COLLECT" "COLLECTING" "APPEND" "APPENDING" "NCONC" "NCONCING"
                                            "SUM" "SUMMING" "COUNT" "COUNTING" "MAXIMIZE" "MAXIMIZING"
                                            "MINIMIZE" "MINIMIZING"))
                    (let* ((form (next-form))
                           (into (when (keyword-p "INTO") (next) (prog1 (next) (skip-type))))
                           (kind (symbol-name word))
                           (var (accumulator into (when (member kind '("SUM" "SUMMING" "COUNT" "COUNTING")
                                                                :test #'string=)
                                                    0))))
                      (cond ((member kind '("COLLECT" "COLLECTING") :test #'string=)
                             (add-conses var (tail-of var) `(list ,form)))
                            ((member kind '("APPEND" "APPENDING") :test #'string=)
                             (add-conses var (tail-of var) `(copy-list ,form)))
                            ((member kind '("NCONC" "NCONCING") :test #'string=)
                             (add-conses var (tail-of var) form))
                            ((member kind '("SUM" "SUMMING") :test #'string=)
                             `(setq ,var (+ (or ,var 0) ,form)))
                            ((member kind '("COUNT" "COUNTING") :test #'string=)
                             `(setq ,var (+ (or ,var 0) (if ,form 1 0))))
                            ((member kind '("MAXIMIZE" "MAXIMIZING") :test #'string=)
                             (let ((v (gensym))) `(let ((,v ,form)) (setq ,var (if ,var (max ,var ,v) ,v)))))
                            (t (let ((v (gensym))) `(let ((,v ,form)) (setq ,var (if ,var (min ,var ,v) ,v))))))))
                   ((loop-keyword-in word '("WHEN" "IF" "UNLESS"))
                    (let* ((test (next))
                           (it (gensym "IT"))
                           (outer-it current-it)
                           (then (progn (setq current-it it) (actions)))
                           (else (when (keyword-p "ELSE") (next) (actions))))
                      (setq current-it outer-it)
                      (when (keyword-p "END") (next))
                      `(let ((,it ,test))
                         ,(if (loop-keyword-p word "UNLESS")
                              `(if ,it ,else ,then)
                              `(if ,it ,then ,else)))))
                   (t (error "unsupported LOOP clause ~A" word))))))
      (when (keyword-p "NAMED") (next) (setq name (next)))
      (swankd::%repeat
        (when (null clauses) (return nil))
        (let ((word (peek)))
          (cond
            ((loop-keyword-in word '("FOR" "AS"))
             (next)
             (unless grouped (setq group-steps steps))
             (let ((var (next)) (how (progn (skip-type) (next))))
               ;; FOR I BELOW N (no FROM) counts up from 0.
               (when (loop-keyword-in how '("TO" "UPTO" "BELOW" "DOWNTO" "ABOVE" "BY"))
                 (push how clauses)
                 (push 0 clauses)
                 (setq how 'from))
               (cond
                 ((loop-keyword-p how "IN")
                  (let ((list (gensym "LIST")))
                    (push (list list (next)) bindings)
                    (dolist (v (swankd::%loop-vars var)) (push (list v nil) bindings))
                    (push (exit-when `(endp ,list)) iteration)
                    (push (swankd::%loop-assign var `(car ,list)) iteration)
                    (push `(setq ,list ,(if (keyword-p "BY") (progn (next) `(funcall ,(next) ,list)) `(cdr ,list)))
                          steps)))
                 ((loop-keyword-p how "ACROSS")
                  (let ((vector (gensym "VECTOR")) (index (gensym "INDEX")))
                    (push (list vector (next)) bindings)
                    (push (list index 0) bindings)
                    (dolist (v (swankd::%loop-vars var)) (push (list v nil) bindings))
                    (push (exit-when `(>= ,index (length ,vector))) iteration)
                    (push (swankd::%loop-assign var `(aref ,vector ,index)) iteration)
                    (push `(setq ,index (1+ ,index)) steps)))
                 ((loop-keyword-in how '("BEING"))
                  (let ((kind (progn (when (loop-keyword-in (peek) '("THE" "EACH")) (next)) (next)))
                        (list (gensym "ENTRIES"))
                        (other nil))
                    (unless (loop-keyword-in kind '("HASH-KEY" "HASH-KEYS" "HASH-VALUE" "HASH-VALUES"))
                      (error "unsupported LOOP clause FOR ~A BEING ~A" var kind))
                    (unless (loop-keyword-in (next) '("OF" "IN"))
                      (error "LOOP: expected OF after FOR ~A BEING THE ~A" var kind))
                    (push (list list `(swankd::%hash-table-entries ,(next))) bindings)
                    (when (keyword-p "USING")
                      (next)
                      (setq other (cadr (next)))
                      (push (list other nil) bindings))
                    (push (list var nil) bindings)
                    (let ((keys (loop-keyword-in kind '("HASH-KEY" "HASH-KEYS"))))
                      (push (exit-when `(endp ,list)) iteration)
                      (push `(setq ,var (,(if keys 'caar 'cdar) ,list)) iteration)
                      (when other
                        (push `(setq ,other (,(if keys 'cdar 'caar) ,list)) iteration))
                      (push `(setq ,list (cdr ,list)) steps))))
                 ((loop-keyword-p how "ON")
                  (let ((list (gensym "LIST")))
                    (push (list list (next)) bindings)
                    (dolist (v (swankd::%loop-vars var)) (push (list v nil) bindings))
                    (push (exit-when `(atom ,list)) iteration)
                    (push (swankd::%loop-assign var list) iteration)
                    (push `(setq ,list (cdr ,list)) steps)))
                 ((loop-keyword-p how "=")
                  ;; The value goes through a temporary so that FOR ... AND ... steps in
                  ;; parallel: every clause of the group computes before any assigns. In
                  ;; such a group THEN is computed with the steps of the group's other
                  ;; clauses, before any of them.
                  (let ((init (next)) (value (gensym "VALUE")))
                    (dolist (v (swankd::%loop-vars var)) (push (list v nil) bindings))
                    (push (list value nil) bindings)
                    (if (keyword-p "THEN")
                        (let ((first (gensym "FIRST")) (then (progn (next) (next))))
                          (push (list first t) bindings)
                          (cond ((or grouped (keyword-p "AND"))
                                 (push `(when ,first (setq ,value ,init)) iteration)
                                 (setq steps (append (ldiff steps group-steps)
                                                     (list `(setq ,value ,then))
                                                     group-steps)))
                                (t (push `(setq ,value (if ,first ,init ,then)) iteration)))
                          (push `(setq ,first nil) pending))
                        (push `(setq ,value ,init) iteration))
                    (push (swankd::%loop-assign var value) pending)))
                 ((loop-keyword-in how '("FROM" "UPFROM" "DOWNFROM"))
                  (let ((start (next)) (limit nil) (test nil) (by 1)
                        (down (loop-keyword-p how "DOWNFROM")))
                    (swankd::%repeat
                      (cond ((loop-keyword-in (peek) '("TO" "UPTO"))
                             ;; After DOWNFROM, TO is a lower limit.
                             (next) (setq limit (next) test (if down '< '>)))
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
                    ;; BY is evaluated once, and must be positive (0 would never end).
                    (let ((step (if (and (realp by) (plusp by)) by (gensym "BY"))))
                      (unless (eql step by)
                        (push (list step `(swankd::%loop-step ,by)) bindings))
                      (push `(setq ,var (,(if down '- '+) ,var ,step)) steps))))
                 (t (error "unsupported LOOP clause FOR ~A ~A" var how)))
               (cond ((keyword-p "AND") (next) (push 'for clauses) (setq grouped t))
                     (t (setq iteration (append pending iteration) pending nil grouped nil)))))
            ((loop-keyword-p word "REPEAT")
             (next)
             (let ((count (gensym "COUNT")))
               (push (list count (next)) bindings)
               (push (exit-when `(<= ,count 0)) iteration)
               (push `(setq ,count (1- ,count)) iteration)))
            ((loop-keyword-p word "WITH")
             (next)
             (let ((var (next)))
               (skip-type)
               (dolist (binding (swankd::%loop-bindings var (when (keyword-p "=") (next) (next))))
                 (push binding bindings))))
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

;;; Conditions. Errors raised by the VM and builtins arrive through SWANKD::%SIGNAL-ERROR.
;;; Handlers and restarts live in special variables, so unwinding restores them.

(defvar swankd::*handler-clusters* nil)
(defvar swankd::*restart-clusters* nil)

;;; The REPL's history, besides * ** *** (system.rs): the forms and all the values of the
;;; last three evaluations, and the form being evaluated.
(defvar + nil "The form most recently evaluated at the REPL.")
(defvar ++ nil "The form evaluated at the REPL before +.")
(defvar +++ nil "The form evaluated at the REPL before ++.")
(defvar / nil "The list of all the values of the most recent evaluation at the REPL.")
(defvar // nil "The list of all the values of the evaluation at the REPL before /.")
(defvar /// nil "The list of all the values of the evaluation at the REPL before //.")
(defvar - nil "The form the REPL is evaluating now.")
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
    (swankd::%set-condition-slot condition 'swankd::%lazy-report t)
    (swankd::%initial-report condition)
    condition))

(defmacro define-condition (name parents slot-specs &rest options)
  (let ((report (cadr (assoc :report options)))
        (readers nil))
    (dolist (spec slot-specs)
      (when (consp spec)
        (let ((slot (car spec)))
          (do ((options (cdr spec) (cddr options)))
              ((null options))
            (let ((option (car options))
                  (function-name (cadr options)))
              (when (member option '(:reader :accessor))
                (push `(defun ,function-name (condition)
                         (swankd::%condition-slot condition ',slot))
                      readers))
              (when (member option '(:writer :accessor))
                (push `(defun ,(if (eq option :accessor) `(setf ,function-name) function-name)
                           (new-value condition)
                         (swankd::%set-condition-slot condition ',slot new-value)
                         new-value)
                      readers)))))))
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
(swankd::%define-condition-type 'simple-type-error '(simple-condition type-error) nil
                                (lambda (c s)
                                  (apply #'format s (swankd::%condition-slot c 'format-control "")
                                         (swankd::%condition-slot c 'format-arguments nil))))
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
(swankd::%define-condition-type 'file-error '(error) '((pathname :pathname nil)) nil)
(swankd::%define-condition-type 'swankd::format-error '(error) nil nil)

(defun simple-condition-format-control (c) (swankd::%condition-slot c 'format-control))
(defun simple-condition-format-arguments (c) (swankd::%condition-slot c 'format-arguments))
(defun type-error-datum (c) (swankd::%condition-slot c 'datum))
(defun type-error-expected-type (c) (swankd::%condition-slot c 'expected-type))
(defun cell-error-name (c) (swankd::%condition-slot c 'name))
(defun file-error-pathname (c) (swankd::%condition-slot c 'pathname))

(defun swankd::%coerce-to-condition (datum arguments default-type)
  (cond ((swankd::%conditionp datum) datum)
        ((symbolp datum) (apply #'make-condition datum arguments))
        ((or (stringp datum) (functionp datum))
         (make-condition default-type :format-control datum :format-arguments arguments))
        (t (error 'simple-type-error
                  :datum datum :expected-type '(or string symbol condition)
                  :format-control "~S cannot designate a condition."
                  :format-arguments (list datum)))))

(defun swankd::%run-handlers (condition)
  (when (and *break-on-signals* (typep condition *break-on-signals*))
    (let ((*break-on-signals* nil))
      (break "~A~%BREAK was entered because of *BREAK-ON-SIGNALS*." condition)))
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

;;; A condition MAKE-CONDITION makes is reported as in SBCL: whenever it is printed without
;;; escapes, its report is computed then (SWANKD::%PRINT-OBJECT-TO-STRING), from its slots
;;; as they are then, signalling what stops it (ERROR with too few arguments for its
;;; control string fails only when printed). Its report is also computed when it is made
;;; and kept as its message, for the debugger and the logs; if that fails, the message says
;;; so.

(defun swankd::%initial-report (condition)
  "Computes CONDITION's report and keeps it as its message, or a note that it failed;
labelling shared structure keeps a circular datum from printing forever."
  (handler-case (let ((*print-circle* t))
                  (swankd::%set-condition-message condition (swankd::%compute-report condition)))
    (error (failure)
      (swankd::%set-condition-message
       condition
       (format nil "#<error printing a ~S: ~A>" (swankd::%condition-type condition) failure)))))

(defun swankd::%report-now (condition)
  "Computes CONDITION's report and keeps it as its message."
  (swankd::%set-condition-message condition (swankd::%compute-report condition)))

(defun swankd::%lazy-report-p (object)
  "Whether OBJECT is a condition MAKE-CONDITION made, whose report printing computes."
  (and (swankd::%conditionp object)
       (swankd::%condition-slot object 'swankd::%lazy-report nil)))

;;; Restarts. While the boot runs they are lists (:restart NAME FUNCTION REPORT INTERACTIVE
;;; TEST); clos.lisp redefines the functions below that build and read them, after which
;;; they are instances of the class RESTART.

(defun swankd::%make-restart (name function report &optional interactive test)
  (list :restart name function report interactive test))

(defun restart-name (restart) (cadr restart))
(defun swankd::%restart-function (restart) (caddr restart))
(defun swankd::%restart-report-function (restart) (cadddr restart))
(defun swankd::%restart-interactive (restart) (nth 4 restart))
(defun swankd::%restart-test (restart) (nth 5 restart))

(defun swankd::%restart-report (restart)
  (let ((report (swankd::%restart-report-function restart)))
    (cond ((stringp report) report)
          (report (with-output-to-string (stream) (funcall report stream)))
          (t (format nil "~A" (restart-name restart))))))

(defun cadddr (x) (car (cdr (cddr x))))

(defun compute-restarts (&optional condition)
  (let ((result nil))
    (dolist (cluster swankd::*restart-clusters* (nreverse result))
      (dolist (restart cluster)
        (let ((test (swankd::%restart-test restart)))
          (when (or (null test) (funcall test condition))
            (push restart result)))))))

(defun find-restart (identifier &optional condition)
  (dolist (restart (compute-restarts condition) nil)
    (when (or (eq restart identifier) (eq (restart-name restart) identifier))
      (return restart))))

(defun swankd::%active-restart (restart)
  (or (find-restart restart)
      (error 'control-error :format-control "No restart ~S is active." :format-arguments (list restart))))

(defun invoke-restart (restart &rest arguments)
  (apply (swankd::%restart-function (swankd::%active-restart restart)) arguments))

(defun swankd::%restart-clause-parts (body)
  "Splits a RESTART-CASE clause body into its :report, :interactive and :test values and
its forms."
  (let ((report nil) (interactive nil) (test nil))
    (swankd::%repeat
      (cond ((eq (car body) :report) (setq report (cadr body) body (cddr body)))
            ((eq (car body) :interactive) (setq interactive (cadr body) body (cddr body)))
            ((eq (car body) :test) (setq test (cadr body) body (cddr body)))
            (t (return (list report body interactive test)))))))

(defmacro restart-case (form &rest clauses)
  (let ((block (gensym "RESTART-CASE"))
        (arguments (gensym "ARGUMENTS"))
        (tags (mapcar (lambda (clause) (declare (ignore clause)) (gensym "RESTART")) clauses)))
    `(block ,block
       (let ((,arguments nil))
         (tagbody
            (let ((swankd::*restart-clusters*
                    (cons (list ,@(mapcar (lambda (clause tag)
                                            (destructuring-bind (report body interactive test)
                                                (swankd::%restart-clause-parts (cddr clause))
                                              (declare (ignore body))
                                              `(swankd::%make-restart
                                                ',(car clause)
                                                (lambda (&rest temp) (setq ,arguments temp) (go ,tag))
                                                ,(if (or (stringp report) (null report)) report `(function ,report))
                                                ,(and interactive `(function ,interactive))
                                                ,(and test `(function ,test)))))
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

(defun swankd::%read-evaluated-form (&optional (prompt "Enter a form to be evaluated: "))
  "For a restart's :interactive: asks for a form on *STANDARD-OUTPUT* (in SLIME, the REPL),
reads it from *STANDARD-INPUT* and returns the list of its value."
  (format *standard-output* "~&~A" prompt)
  (finish-output *standard-output*)
  (list (eval (read *standard-input*))))

(defun swankd::%read-evaluated-values ()
  "For a restart's :interactive: like %READ-EVALUATED-FORM, the list of all the form's values."
  (format *standard-output* "~&Enter a form evaluating to the values to return: ")
  (finish-output *standard-output*)
  (multiple-value-list (eval (read *standard-input*))))

(defun swankd::%signal-error (condition)
  "Signals CONDITION, an error raised by an operation; what this returns stands for the
operation's value. An unbound variable offers CONTINUE (read it again), USE-VALUE and
STORE-VALUE; a call of an undefined function offers CONTINUE (call it again), USE-VALUE
(call another function), RETURN-VALUE and RETURN-NOTHING, as SBCL does."
  (if (swankd::%condition-matches-p condition 'unbound-variable)
      (let ((name (cell-error-name condition)))
        (restart-case (progn (swankd::%run-handlers condition)
                             (invoke-debugger condition))
          (continue () :report (lambda (stream) (format stream "Retry using ~A." name))
            (symbol-value name))
          (use-value (value) :report "Use specified value."
            :interactive swankd::%read-evaluated-form
            value)
          (store-value (value) :report "Set specified value and use it."
            :interactive swankd::%read-evaluated-form
            (setf (symbol-value name) value))))
      (let ((arguments (swankd::%condition-slot condition 'swankd::arguments :none)))
        (if (and (not (eq arguments :none))
                 (swankd::%condition-matches-p condition 'undefined-function))
            (let ((name (cell-error-name condition)))
              (restart-case (progn (swankd::%run-handlers condition)
                                   (invoke-debugger condition))
                (continue () :report (lambda (stream) (format stream "Retry calling ~S." name))
                  (apply name arguments))
                (use-value (function) :report "Call specified function."
                  :interactive swankd::%read-evaluated-form
                  (apply function arguments))
                (swankd::return-value (&rest values) :report "Return specified values."
                  :interactive swankd::%read-evaluated-values
                  (values-list values))
                (swankd::return-nothing () :report "Return zero values."
                  (values))))
            (progn (swankd::%run-handlers condition)
                   (invoke-debugger condition))))))

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

(defun swankd::%call-with-abort-restart (function &rest arguments)
  "Applies FUNCTION to ARGUMENTS with the ABORT restart of a request: invoking it ends the
request. The reply then names the error that first reached the debugger, as swank's does."
  (let ((condition nil))
    (restart-case (handler-bind ((error (lambda (c) (unless condition (setq condition c)))))
                    (apply function arguments))
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

(defvar swankd::*source-origin* nil
  "Where the text being evaluated was read from, for M-.: (:FILE PATH) or
(:BUFFER NAME START FILE), START the buffer position of the text's first character.")

(defvar swankd::*form-start* nil
  "The character index in that text where the top-level form being evaluated starts.")

(defun swankd::%eval-forms-as-unit (text what &optional announce origin)
  "Reads and evaluates every form of the string TEXT as one unit; returns the values of
the last form as a list. WHAT names TEXT in the message that says which form failed.
ANNOUNCE: say \"; processing FORM\" before each form, as SBCL's compiler does. ORIGIN:
where TEXT comes from (see *SOURCE-ORIGIN*)."
  (let ((position 0) (values nil) (form nil) (eof (make-symbol "EOF"))
        (swankd::*source-origin* origin) (swankd::*form-start* nil))
    (swankd::%call-as-unit
     (lambda ()
       (handler-bind ((error (lambda (condition)
                               (declare (ignore condition))
                               (swankd::%report-failed-unit what form))))
         (swankd::%repeat
           (multiple-value-bind (next-form next) (read-from-string text nil eof :start position)
             (when (eq next-form eof) (return values))
             (setq form next-form)
             (setq swankd::*form-start* (swankd::%form-start text position))
             (when announce
               (let ((*print-length* 2) (*print-level* 2))
                 (format t "~&; processing ~S" form)))
             (setq values (multiple-value-list (eval form)))
             (setq form nil)
             (setq position next))))))))

(defun load (pathname &key verbose print if-does-not-exist external-format)
  "Evaluates the forms of the file PATHNAME in order, as one unit of change."
  (declare (ignore verbose print if-does-not-exist external-format))
  (when (and (fboundp 'swankd::%provided-file-p) (swankd::%provided-file-p pathname))
    (return-from load t))
  (let* ((name (swankd::%file-name pathname))
         (text (swankd::%file-string name))
         (*package* *package*)
         (*load-pathname* (pathname pathname))
         (*load-truename* (probe-file name)))
    (swankd::%eval-forms-as-unit text name nil
                                 (list :file (swankd::%absolute-path name)))
    t))

(defmacro with-standard-io-syntax (&body body)
  "Evaluates BODY with the standard values of the printer and reader variables swankd
has (*PRINT-READABLY* is bound to T but does not make unreadable objects an error yet)."
  `(let ((*package* (find-package "COMMON-LISP-USER"))
         (*print-base* 10) (*print-radix* nil) (*print-case* :upcase) (*print-escape* t)
         (*print-circle* nil) (*print-length* nil) (*print-level* nil) (*print-readably* t)
         (*read-base* 10) (*read-eval* t))
     ,@body))

;;;; Sequences, lists, sets and types. Sequence functions take a list, vector or string:
;;;; SWANKD::%SEQ-LIST gives the elements between :START and :END as a list (checking the
;;;; bounds) and SWANKD::%SEQ-LIKE rebuilds a sequence of the original's kind.

(defun swankd::%test2 (test test-not)
  "The two-argument test that :TEST and :TEST-NOT designate."
  (cond (test-not (lambda (a b) (not (funcall test-not a b))))
        (test test)
        (t #'eql)))

(defun swankd::%item-pred (item test test-not key)
  (let ((test (swankd::%test2 test test-not)))
    (if key
        (lambda (x) (funcall test item (funcall key x)))
        (lambda (x) (funcall test item x)))))

(defun swankd::%key-pred (predicate key)
  (if key (lambda (x) (funcall predicate (funcall key x))) predicate))

(defun swankd::%not-pred (predicate key)
  (lambda (x) (not (funcall predicate (if key (funcall key x) x)))))

(defun swankd::%filter (predicate sequence from-end start end count replace new)
  "The elements of SEQUENCE, those satisfying PREDICATE (at most COUNT of them, the
last ones if FROM-END) left out or, if REPLACE, replaced by NEW; a sequence of its kind."
  (let* ((start (or start 0))
         (head (swankd::%seq-list sequence 0 start))
         (middle (swankd::%seq-list sequence start end))
         (tail (if end (swankd::%seq-list sequence end nil) nil))
         (kept nil))
    (when from-end (setq middle (reverse middle)))
    (dolist (x middle)
      (if (and (or (null count) (> count 0)) (funcall predicate x))
          (progn (when count (setq count (1- count)))
                 (when replace (setq kept (cons new kept))))
          (setq kept (cons x kept))))
    (unless from-end (setq kept (nreverse kept)))
    (swankd::%seq-like sequence (append head kept tail))))

(defun remove (item sequence &key from-end test test-not start end count key)
  (swankd::%filter (swankd::%item-pred item test test-not key) sequence from-end start end count nil nil))
(defun remove-if (predicate sequence &key from-end start end count key)
  (swankd::%filter (swankd::%key-pred predicate key) sequence from-end start end count nil nil))
(defun remove-if-not (predicate sequence &key from-end start end count key)
  (swankd::%filter (swankd::%not-pred predicate key) sequence from-end start end count nil nil))
(defun delete (item sequence &key from-end test test-not start end count key)
  (swankd::%filter (swankd::%item-pred item test test-not key) sequence from-end start end count nil nil))
(defun delete-if (predicate sequence &key from-end start end count key)
  (swankd::%filter (swankd::%key-pred predicate key) sequence from-end start end count nil nil))
(defun delete-if-not (predicate sequence &key from-end start end count key)
  (swankd::%filter (swankd::%not-pred predicate key) sequence from-end start end count nil nil))
(defun substitute (new old sequence &key from-end test test-not start end count key)
  (swankd::%filter (swankd::%item-pred old test test-not key) sequence from-end start end count t new))
(defun substitute-if (new predicate sequence &key from-end start end count key)
  (swankd::%filter (swankd::%key-pred predicate key) sequence from-end start end count t new))
(defun substitute-if-not (new predicate sequence &key from-end start end count key)
  (swankd::%filter (swankd::%not-pred predicate key) sequence from-end start end count t new))
(defun nsubstitute (new old sequence &rest keys) (apply #'substitute new old sequence keys))
(defun nsubstitute-if (new predicate sequence &rest keys) (apply #'substitute-if new predicate sequence keys))

(defun remove-duplicates (sequence &key from-end test test-not (start 0) end key)
  (let* ((test (swankd::%test2 test test-not))
         (head (swankd::%seq-list sequence 0 start))
         (middle (swankd::%seq-list sequence start end))
         (tail (if end (swankd::%seq-list sequence end nil) nil))
         (kept nil))
    (unless from-end (setq middle (reverse middle)))
    (dolist (x middle)
      (let ((k (if key (funcall key x) x)))
        (unless (dolist (y kept nil)
                  (when (funcall test (if key (funcall key y) y) k) (return t)))
          (setq kept (cons x kept)))))
    (when from-end (setq kept (nreverse kept)))
    (swankd::%seq-like sequence (append head kept tail))))
(defun delete-duplicates (sequence &rest keys) (apply #'remove-duplicates sequence keys))

(defun swankd::%find (predicate sequence from-end start end)
  "The first (last if FROM-END) element satisfying PREDICATE, and its index."
  (let ((index (or start 0)) (found nil) (at nil))
    (dolist (x (swankd::%seq-list sequence (or start 0) end))
      (when (funcall predicate x)
        (setq found x at index)
        (unless from-end (return nil)))
      (setq index (1+ index)))
    (values found at)))

(defun find (item sequence &key from-end test test-not start end key)
  (values (swankd::%find (swankd::%item-pred item test test-not key) sequence from-end start end)))
(defun find-if (predicate sequence &key from-end start end key)
  (values (swankd::%find (swankd::%key-pred predicate key) sequence from-end start end)))
(defun find-if-not (predicate sequence &key from-end start end key)
  (values (swankd::%find (swankd::%not-pred predicate key) sequence from-end start end)))
(defun position (item sequence &key from-end test test-not start end key)
  (nth-value 1 (swankd::%find (swankd::%item-pred item test test-not key) sequence from-end start end)))
(defun position-if (predicate sequence &key from-end start end key)
  (nth-value 1 (swankd::%find (swankd::%key-pred predicate key) sequence from-end start end)))
(defun position-if-not (predicate sequence &key from-end start end key)
  (nth-value 1 (swankd::%find (swankd::%not-pred predicate key) sequence from-end start end)))

(defun swankd::%count (predicate sequence start end)
  (let ((n 0))
    (dolist (x (swankd::%seq-list sequence (or start 0) end) n)
      (when (funcall predicate x) (setq n (1+ n))))))
(defun count (item sequence &key from-end test test-not start end key)
  (declare (ignore from-end))
  (swankd::%count (swankd::%item-pred item test test-not key) sequence start end))
(defun count-if (predicate sequence &key from-end start end key)
  (declare (ignore from-end))
  (swankd::%count (swankd::%key-pred predicate key) sequence start end))
(defun count-if-not (predicate sequence &key from-end start end key)
  (declare (ignore from-end))
  (swankd::%count (swankd::%not-pred predicate key) sequence start end))

(defun swankd::%member (predicate list)
  (swankd::%repeat
    (when (endp list) (return nil))
    (when (funcall predicate (car list)) (return list))
    (setq list (cdr list))))
(defun member-if (predicate list &key key)
  (swankd::%member (swankd::%key-pred predicate key) list))
(defun member-if-not (predicate list &key key)
  (swankd::%member (swankd::%not-pred predicate key) list))

(defun swankd::%assoc (predicate alist key-of)
  (dolist (pair alist nil)
    (when (and pair (funcall predicate (funcall key-of pair))) (return pair))))
(defun assoc-if (predicate alist &key key)
  (swankd::%assoc (swankd::%key-pred predicate key) alist #'car))
(defun assoc-if-not (predicate alist &key key)
  (swankd::%assoc (swankd::%not-pred predicate key) alist #'car))
(defun rassoc (item alist &key test test-not key)
  (swankd::%assoc (swankd::%item-pred item test test-not key) alist #'cdr))
(defun rassoc-if (predicate alist &key key)
  (swankd::%assoc (swankd::%key-pred predicate key) alist #'cdr))
(defun rassoc-if-not (predicate alist &key key)
  (swankd::%assoc (swankd::%not-pred predicate key) alist #'cdr))

(defun swankd::%lists (sequences)
  (mapcar (lambda (s) (swankd::%seq-list s 0 nil)) sequences))

(defun some (predicate sequence &rest more)
  (if more
      (let ((lists (swankd::%lists (cons sequence more))))
        (swankd::%repeat
          (when (some-endp lists) (return nil))
          (let ((result (apply predicate (mapcar #'car lists))))
            (when result (return result)))
          (setq lists (mapcar #'cdr lists))))
      (dolist (item (swankd::%seq-list sequence 0 nil) nil)
        (let ((result (funcall predicate item))) (when result (return result))))))

(defun every (predicate sequence &rest more)
  (if more
      (let ((lists (swankd::%lists (cons sequence more))))
        (swankd::%repeat
          (when (some-endp lists) (return t))
          (unless (apply predicate (mapcar #'car lists)) (return nil))
          (setq lists (mapcar #'cdr lists))))
      (dolist (item (swankd::%seq-list sequence 0 nil) t)
        (unless (funcall predicate item) (return nil)))))

(defun notany (predicate sequence &rest more) (not (apply #'some predicate sequence more)))
(defun notevery (predicate sequence &rest more) (not (apply #'every predicate sequence more)))

(defun map (result-type function sequence &rest more)
  (let ((lists (swankd::%lists (cons sequence more))) (result nil))
    (swankd::%repeat
      (when (some-endp lists) (return nil))
      (setq result (cons (apply function (mapcar #'car lists)) result))
      (setq lists (mapcar #'cdr lists)))
    (if result-type (coerce (nreverse result) result-type) nil)))

(defun map-into (target function &rest sequences)
  (let ((lists (swankd::%lists sequences)) (index 0) (n (length target)))
    (swankd::%repeat
      (when (or (>= index n) (and sequences (some-endp lists))) (return target))
      (swankd::%seq-store target index (apply function (mapcar #'car lists)))
      (setq lists (mapcar #'cdr lists) index (1+ index)))))

(defun maplist (function list &rest more)
  (let ((lists (cons list more)) (result nil))
    (swankd::%repeat
      (when (some-endp lists) (return (nreverse result)))
      (setq result (cons (apply function lists) result))
      (setq lists (mapcar #'cdr lists)))))
(defun mapl (function list &rest more) (apply #'maplist function list more) list)
(defun mapcon (function list &rest more) (apply #'nconc (apply #'maplist function list more)))

(defun reduce (function sequence &key key from-end (start 0) end (initial-value nil initial-p))
  (let ((items (swankd::%seq-list sequence start end)))
    (when key (setq items (mapcar key items)))
    (when from-end (setq items (reverse items)))
    (let ((acc (cond (initial-p initial-value)
                     ((null items) (return-from reduce (funcall function)))
                     (t (pop items)))))
      (dolist (x items acc)
        (setq acc (if from-end (funcall function x acc) (funcall function acc x)))))))

(defun revappend (list tail)
  (dolist (x list tail) (setq tail (cons x tail))))
(defun nreconc (list tail) (revappend list tail))

(defun nconc (&rest lists)
  (let ((result nil) (tail nil))
    (dolist (list lists result)
      (when list
        (if tail (rplacd (last tail) list) (setq result list))
        (setq tail list)))))

(defun swankd::%merge-lists (a b predicate key)
  (let ((result nil))
    (swankd::%repeat
      (cond ((null a) (return (revappend result b)))
            ((null b) (return (revappend result a)))
            ((funcall predicate (funcall key (car b)) (funcall key (car a)))
             (setq result (cons (car b) result) b (cdr b)))
            (t (setq result (cons (car a) result) a (cdr a)))))))

(defun swankd::%merge-sort (list n predicate key)
  (if (< n 2)
      list
      (let ((half (floor n 2)))
        (swankd::%merge-lists (swankd::%merge-sort (subseq list 0 half) half predicate key)
                              (swankd::%merge-sort (nthcdr half list) (- n half) predicate key)
                              predicate key))))

(defun swankd::%store-all (sequence items)
  (let ((index 0))
    (dolist (x items sequence)
      (swankd::%seq-store sequence index x)
      (setq index (1+ index)))))

(defun sort (sequence predicate &key key)
  (let* ((items (swankd::%seq-list sequence 0 nil))
         (fast (if key :unsorted (swankd::%sort-reals items predicate)))
         (sorted (if (eq fast :unsorted)
                     (swankd::%merge-sort items (length items) predicate (or key #'identity))
                     fast)))
    (if (listp sequence) sorted (swankd::%store-all sequence sorted))))
(defun stable-sort (sequence predicate &key key) (sort sequence predicate :key key))

(defun merge (result-type sequence-1 sequence-2 predicate &key key)
  (coerce (swankd::%merge-lists (swankd::%seq-list sequence-1 0 nil) (swankd::%seq-list sequence-2 0 nil)
                                predicate (or key #'identity))
          result-type))

(defun copy-seq (sequence) (swankd::%seq-like sequence (swankd::%seq-list sequence 0 nil)))

(defun fill (sequence item &key (start 0) end)
  (let ((end (or end (length sequence))))
    (swankd::%seq-list sequence start end)
    (if (listp sequence)
        (let ((rest (nthcdr start sequence)))
          (dotimes (i (- end start)) (rplaca rest item) (setq rest (cdr rest))))
        (dotimes (i (- end start)) (swankd::%seq-store sequence (+ start i) item)))
    sequence))

(defun replace (sequence-1 sequence-2 &key (start1 0) end1 (start2 0) end2)
  (let* ((items (swankd::%seq-list sequence-2 start2 end2))
         (n (min (length items) (length (swankd::%seq-list sequence-1 start1 end1)))))
    (dotimes (i n sequence-1)
      (swankd::%seq-store sequence-1 (+ start1 i) (pop items)))))

(defun (setf subseq) (new-sequence sequence start &optional end)
  "Replaces the elements of SEQUENCE from START below END by those of NEW-SEQUENCE, as
many as both have; returns NEW-SEQUENCE."
  (replace sequence new-sequence :start1 start :end1 end)
  new-sequence)

(defun swankd::%prefix-p (pattern items test key)
  (swankd::%repeat
    (when (null pattern) (return t))
    (when (null items) (return nil))
    (unless (funcall test (funcall key (car pattern)) (funcall key (car items))) (return nil))
    (setq pattern (cdr pattern) items (cdr items))))

(defun search (sequence-1 sequence-2 &key from-end test test-not key (start1 0) end1 (start2 0) end2)
  (let ((pattern (swankd::%seq-list sequence-1 start1 end1))
        (items (swankd::%seq-list sequence-2 start2 end2))
        (test (swankd::%test2 test test-not))
        (key (or key #'identity))
        (index start2)
        (found nil))
    (swankd::%repeat
      (when (swankd::%prefix-p pattern items test key)
        (setq found index)
        (unless from-end (return nil)))
      (when (null items) (return nil))
      (setq items (cdr items) index (1+ index)))
    found))

(defun mismatch (sequence-1 sequence-2 &key from-end test test-not key (start1 0) end1 (start2 0) end2)
  (let ((a (swankd::%seq-list sequence-1 start1 end1))
        (b (swankd::%seq-list sequence-2 start2 end2))
        (test (swankd::%test2 test test-not))
        (key (or key #'identity))
        (i 0))
    (when from-end (setq a (reverse a) b (reverse b)))
    (swankd::%repeat
      (cond ((and (null a) (null b)) (return nil))
            ((or (null a) (null b) (not (funcall test (funcall key (car a)) (funcall key (car b)))))
             (return (if from-end (- (+ start1 (length (swankd::%seq-list sequence-1 start1 end1))) i) (+ start1 i)))))
      (setq a (cdr a) b (cdr b) i (1+ i)))))

;;; Lists

(defun fourth (list) (nth 3 list))
(defun fifth (list) (nth 4 list))
(defun sixth (list) (nth 5 list))
(defun seventh (list) (nth 6 list))
(defun eighth (list) (nth 7 list))
(defun ninth (list) (nth 8 list))
(defun tenth (list) (nth 9 list))
(defun cdddr (x) (cdr (cddr x)))
(defun caadr (x) (car (cadr x)))
(defun cdadr (x) (cdr (cadr x)))
(defun cddar (x) (cdr (cdar x)))
(defun cadar (x) (car (cdar x)))
(defun caaar (x) (car (caar x)))
(defun cdaar (x) (cdr (caar x)))

(defun list-length (list)
  (let ((n 0) (fast list) (slow list))
    (swankd::%repeat
      (when (endp fast) (return n))
      (when (endp (cdr fast)) (return (+ n 1)))
      (setq fast (cddr fast) slow (cdr slow) n (+ n 2))
      (when (eq fast slow) (return nil)))))

(defun butlast (list &optional (n 1))
  (let ((items (copy-list list)))
    (subseq items 0 (max 0 (- (length items) n)))))
(defun nbutlast (list &optional (n 1)) (butlast list n))

(defun ldiff (list object)
  (let ((result nil))
    (swankd::%repeat
      (when (or (atom list) (eq list object)) (return (nreverse result)))
      (setq result (cons (car list) result) list (cdr list)))))
(defun tailp (object list)
  (swankd::%repeat
    (when (eql object list) (return t))
    (when (atom list) (return nil))
    (setq list (cdr list))))

(defun copy-tree (tree)
  (if (consp tree) (cons (copy-tree (car tree)) (copy-tree (cdr tree))) tree))
(defun copy-alist (alist)
  (mapcar (lambda (pair) (if (consp pair) (cons (car pair) (cdr pair)) pair)) alist))
(defun tree-equal (a b &key test test-not)
  (let ((test (swankd::%test2 test test-not)))
    (labels ((walk (a b)
               (cond ((and (consp a) (consp b)) (and (walk (car a) (car b)) (walk (cdr a) (cdr b))))
                     ((or (consp a) (consp b)) nil)
                     (t (funcall test a b)))))
      (if (walk a b) t nil))))

(defun acons (key datum alist) (cons (cons key datum) alist))
(defun pairlis (keys data &optional alist)
  (dolist (key keys alist)
    (setq alist (acons key (car data) alist) data (cdr data))))

(defun sublis (alist tree &key key test test-not)
  (let ((test (swankd::%test2 test test-not)))
    (labels ((walk (x)
               (let ((pair (assoc (if key (funcall key x) x) alist :test test)))
                 (cond (pair (cdr pair))
                       ((consp x) (cons (walk (car x)) (walk (cdr x))))
                       (t x)))))
      (walk tree))))
(defun nsublis (alist tree &rest keys) (apply #'sublis alist tree keys))

(defun swankd::%subst (new predicate tree)
  (cond ((funcall predicate tree) new)
        ((consp tree) (cons (swankd::%subst new predicate (car tree)) (swankd::%subst new predicate (cdr tree))))
        (t tree)))
(defun subst (new old tree &key key test test-not)
  (swankd::%subst new (swankd::%item-pred old test test-not key) tree))
(defun subst-if (new predicate tree &key key)
  (swankd::%subst new (swankd::%key-pred predicate key) tree))
(defun subst-if-not (new predicate tree &key key)
  (swankd::%subst new (swankd::%not-pred predicate key) tree))
(defun nsubst (new old tree &rest keys) (apply #'subst new old tree keys))

(defun swankd::%putf (plist indicator value)
  "PLIST with INDICATOR set to VALUE: changed in place when present, else extended."
  (let ((found (swankd::%plist-find plist indicator)))
    (if found
        (progn (rplaca (cdr found) value) plist)
        (cons indicator (cons value plist)))))

(defun swankd::%remf (plist indicator)
  "PLIST without INDICATOR, and whether it was there."
  (let ((result nil) (found nil))
    (swankd::%repeat
      (when (null plist) (return (values (nreverse result) found)))
      (if (and (not found) (eq (car plist) indicator))
          (setq found t)
          (setq result (cons (cadr plist) (cons (car plist) result))))
      (setq plist (cddr plist)))))

(defmacro remf (place indicator)
  (let ((new (gensym "PLIST")) (found (gensym "FOUND")))
    `(multiple-value-bind (,new ,found) (swankd::%remf ,place ,indicator)
       (setf ,place ,new)
       ,found)))

(defun get-properties (plist indicators)
  (swankd::%repeat
    (when (null plist) (return (values nil nil nil)))
    (when (member (car plist) indicators) (return (values (car plist) (cadr plist) plist)))
    (setq plist (cddr plist))))

;;; Sets, in SBCL's result order.

(defun adjoin (item list &key key test test-not)
  (if (member (if key (funcall key item) item) list :key key :test (swankd::%test2 test test-not))
      list
      (cons item list)))

(defmacro pushnew (item place &rest keys)
  `(setf ,place (adjoin ,item ,place ,@keys)))

(defun swankd::%in (x list key test)
  (member (if key (funcall key x) x) list :key key :test test))

;;; As SBCL: the elements of the longer list (LIST-1 when as long) missing from the shorter
;;; one, pushed in order onto the shorter one.
(defun union (list-1 list-2 &key key test test-not)
  (let* ((test (swankd::%test2 test test-not))
         (list-1-shorter (< (length list-1) (length list-2)))
         (short (if list-1-shorter list-1 list-2))
         (result short))
    (dolist (x (if list-1-shorter list-2 list-1) result)
      (unless (swankd::%in x short key test) (setq result (cons x result))))))
(defun intersection (list-1 list-2 &key key test test-not)
  (let ((test (swankd::%test2 test test-not)) (result nil))
    (dolist (x list-1 result)
      (when (swankd::%in x list-2 key test) (setq result (cons x result))))))
(defun set-difference (list-1 list-2 &key key test test-not)
  (let ((test (swankd::%test2 test test-not)) (result nil))
    (dolist (x list-1 result)
      (unless (swankd::%in x list-2 key test) (setq result (cons x result))))))
(defun set-exclusive-or (list-1 list-2 &key key test test-not)
  (let ((test (swankd::%test2 test test-not)) (result nil))
    (dolist (x list-1)
      (unless (swankd::%in x list-2 key test) (setq result (cons x result))))
    (dolist (x list-2 result)
      (unless (member (if key (funcall key x) x) list-1 :key key :test (lambda (a b) (funcall test b a)))
        (setq result (cons x result))))))
(defun subsetp (list-1 list-2 &key key test test-not)
  (let ((test (swankd::%test2 test test-not)))
    (dolist (x list-1 t)
      (unless (swankd::%in x list-2 key test) (return nil)))))
(defun nunion (list-1 list-2 &rest keys) (apply #'union list-1 list-2 keys))
(defun nintersection (list-1 list-2 &rest keys) (apply #'intersection list-1 list-2 keys))
(defun nset-difference (list-1 list-2 &rest keys) (apply #'set-difference list-1 list-2 keys))

;;; Types: TYPEP over the common type specifiers, COERCE, DEFTYPE, CHECK-TYPE, ASSERT and
;;; the TYPECASE family. An unknown type specifier is an error, as in SBCL.

(defun swankd::%in-range (x bounds)
  (let ((low (if bounds (car bounds) '*))
        (high (if (cdr bounds) (cadr bounds) '*)))
    (and (cond ((eq low '*) t) ((consp low) (> x (car low))) (t (>= x low)))
         (cond ((eq high '*) t) ((consp high) (< x (car high))) (t (<= x high))))))

(defun swankd::%vector-length-p (x size)
  (or (null size) (eq size '*) (and (consp size) (member (car size) '(* nil)))
      (= (length x) (if (consp size) (car size) size))))

(defun swankd::%string-object-p (x) (stringp x))

(defun swankd::%atomic-typep (x type)
  (case type
    ((t) t)
    ((nil) nil)
    (null (null x))
    (list (listp x))
    (cons (consp x))
    (atom (atom x))
    (symbol (symbolp x))
    (keyword (keywordp x))
    (boolean (or (eq x t) (eq x nil)))
    ((number real) (numberp x))
    (integer (integerp x))
    (fixnum (and (integerp x) (<= -4611686018427387904 x 4611686018427387903)))
    (bignum (and (integerp x) (not (<= -4611686018427387904 x 4611686018427387903))))
    (bit (or (eql x 0) (eql x 1)))
    (unsigned-byte (and (integerp x) (>= x 0)))
    (signed-byte (integerp x))
    (rational (rationalp x))
    (ratio (and (rationalp x) (not (integerp x))))
    (float (floatp x))
    ((single-float short-float) (eq (type-of x) 'single-float))
    ((double-float long-float) (eq (type-of x) 'double-float))
    (complex nil)
    (character (characterp x))
    (base-char (and (characterp x) (< (char-code x) 128)))
    (standard-char (and (characterp x) (eq (type-of x) 'standard-char)))
    (extended-char (and (characterp x) (>= (char-code x) 128)))
    ((string base-string) (stringp x))
    ((simple-string simple-base-string) (simple-string-p x))
    (vector (vectorp x))
    (array (arrayp x))
    ((simple-vector) (simple-vector-p x))
    ((simple-array) (or (simple-string-p x) (simple-vector-p x)
                        (and (arrayp x) (not (vectorp x)))))
    (sequence (or (listp x) (vectorp x)))
    (hash-table (hash-table-p x))
    (function (functionp x))
    (compiled-function (compiled-function-p x))
    (package (packagep x))
    (stream (streamp x))
    (two-way-stream (eq (type-of x) 'two-way-stream))
    (synonym-stream (eq (type-of x) 'synonym-stream))
    (broadcast-stream (eq (type-of x) 'broadcast-stream))
    (concatenated-stream (eq (type-of x) 'concatenated-stream))
    (echo-stream (eq (type-of x) 'echo-stream))
    (random-state (random-state-p x))
    (pathname (pathnamep x))
    (t (let ((expander (get type 'swankd::deftype)))
         (cond (expander (swankd::%typep x (funcall expander)))
               ((swankd::%condition-type-p type)
                (and (swankd::%conditionp x) (swankd::%condition-matches-p x type)))
               ((get type 'swankd::structure) (swankd::%struct-type-p x type))
               ((swankd::%find-class type) (swankd::%class-typep x (swankd::%find-class type)))
               (t (error "unknown type specifier: ~S" type)))))))

(defun swankd::%typep (x type)
  (if (atom type)
      (if (swankd::%instancep type)
          (swankd::%class-typep x type)
          (swankd::%atomic-typep x type))
      (let ((head (car type)) (args (cdr type)))
        (case head
          (or (dolist (sub args nil) (when (swankd::%typep x sub) (return t))))
          (and (dolist (sub args t) (unless (swankd::%typep x sub) (return nil))))
          (not (not (swankd::%typep x (car args))))
          (member (if (member x args) t nil))
          (eql (eql x (car args)))
          (satisfies (if (funcall (car args) x) t nil))
          ((integer rational float single-float double-float real short-float long-float)
           (and (swankd::%atomic-typep x head) (swankd::%in-range x args)))
          (mod (and (integerp x) (<= 0 x) (< x (car args))))
          (unsigned-byte (and (integerp x) (<= 0 x)
                              (or (null args) (eq (car args) '*) (< x (expt 2 (car args))))))
          (signed-byte (and (integerp x)
                            (or (null args) (eq (car args) '*)
                                (<= (- (expt 2 (1- (car args)))) x (1- (expt 2 (1- (car args))))))))
          ((string simple-string base-string simple-base-string simple-vector)
           (and (swankd::%atomic-typep x head) (swankd::%vector-length-p x (car args))))
          ((vector array simple-array)
           (and (vectorp x)
                (or (null args) (member (car args) '(* t))
                    (and (member (car args) '(character base-char)) (stringp x)))
                (or (not (eq head 'vector)) (null args) (and (not (stringp x)) (eq (car args) t)) t)
                (swankd::%vector-length-p x (cadr args))))
          (cons (and (consp x)
                     (or (null args) (eq (car args) '*) (swankd::%typep (car x) (car args)))
                     (or (null (cdr args)) (eq (cadr args) '*) (swankd::%typep (cdr x) (cadr args)))))
          (function (functionp x))
          (t (let ((expander (get head 'swankd::deftype)))
               (cond (expander (swankd::%typep x (apply expander args)))
                     ((get head 'swankd::structure) (swankd::%struct-type-p x head))
                     (t (error "unknown type specifier: ~S" type)))))))))

(defun typep (object type-specifier &optional environment)
  (declare (ignore environment))
  (swankd::%typep object type-specifier))

(defmacro deftype (name lambda-list &body body)
  `(progn (swankd::%put ',name 'swankd::deftype (lambda ,lambda-list ,@body)) ',name))

(deftype string-designator () '(or string symbol character))

(defun coerce (object output-type-spec)
  (let* ((type output-type-spec)
         (head (if (consp type) (car type) type)))
    (cond ((and (not (eq head 'function)) (not (eq head 'float)) (typep object type)) object)
          ((member head '(list cons)) (swankd::%seq-list object 0 nil))
          ((member head '(vector simple-vector array simple-array))
           (if (and (consp type) (member (cadr type) '(character base-char)))
               (swankd::%seq-like "" (swankd::%seq-list object 0 nil))
               (swankd::%seq-like (vector) (swankd::%seq-list object 0 nil))))
          ((member head '(string simple-string base-string))
           (swankd::%seq-like "" (swankd::%seq-list object 0 nil)))
          ((and (member head '(character base-char))
                (or (and (stringp object) (= (length object) 1))
                    (and (symbolp object) (= (length (symbol-name object)) 1))))
           (char (string object) 0))
          ((and (eq head 'float) (realp object)) (if (floatp object) object (float object)))
          ((and (member head '(single-float short-float)) (realp object)) (float object 1.0))
          ((and (member head '(double-float long-float)) (realp object)) (float object 1d0))
          ((eq head 'function)
           (cond ((functionp object) object)
                 ((symbolp object) (symbol-function object))
                 ((and (consp object) (eq (car object) 'lambda)) (eval (list 'function object)))
                 (t (swankd::%cannot-coerce object type))))
          (t (swankd::%cannot-coerce object type)))))

(defun swankd::%cannot-coerce (object type)
  (error 'simple-type-error :datum object :expected-type type
                            :format-control "~S can't be converted to type ~S."
                            :format-arguments (list object type)))

(defmacro check-type (place type &optional type-string)
  (let ((value (gensym "VALUE")) (new (gensym "NEW")))
    `(swankd::%repeat
       (let ((,value ,place))
         (when (typep ,value ',type) (return nil))
         (restart-case
             (error 'simple-type-error
                    :datum ,value :expected-type ',type
                    :format-control ,(if type-string
                                         "The value of ~S is ~S, which is not ~A."
                                         "The value of ~S is ~S, which is not of type ~S.")
                    :format-arguments (list ',place ,value ,(or type-string `',type)))
           (store-value (,new)
             :report (lambda (stream) (format stream "Supply a new value for ~S." ',place))
             :interactive swankd::%read-evaluated-form
             (setf ,place ,new)))))))

(defmacro assert (test-form &optional places datum &rest arguments)
  (declare (ignore places))
  `(swankd::%repeat
     (when ,test-form (return nil))
     (restart-case ,(if datum
                        `(error ,datum ,@arguments)
                        `(error "The assertion ~S failed." ',test-form))
       (continue () :report "Retry assertion." nil))))

(defun swankd::%typecase-clauses (value clauses)
  (mapcar (lambda (clause)
            (cons (if (member (car clause) '(t otherwise))
                      t
                      `(typep ,value ',(car clause)))
                  (or (cdr clause) '(nil))))
          clauses))

(defmacro typecase (keyform &rest clauses)
  (let ((value (gensym "KEY")))
    `(let ((,value ,keyform))
       (cond ,@(swankd::%typecase-clauses value clauses)))))

(defun swankd::%case-failure (value name wanted type)
  (error 'simple-type-error :datum value :expected-type type
                            :format-control "~S fell through ~S expression. Wanted one of ~S."
                            :format-arguments (list value name wanted)))

(defmacro etypecase (keyform &rest clauses)
  (let ((value (gensym "KEY")) (types (mapcar #'car clauses)))
    `(let ((,value ,keyform))
       (cond ,@(swankd::%typecase-clauses value clauses)
             (t (swankd::%case-failure ,value 'etypecase ',types '(or ,@types)))))))

(defmacro ctypecase (keyform &rest clauses)
  (let ((value (gensym "KEY")) (types (mapcar #'car clauses)))
    `(let ((,value ,keyform))
       (cond ,@(swankd::%typecase-clauses value clauses)
             (t (swankd::%case-failure ,value 'ctypecase ',types '(or ,@types)))))))

(defmacro ccase (keyform &rest clauses)
  `(ecase ,keyform ,@clauses))

;;; Numbers and strings written over Rust primitives.

(defconstant pi 3.141592653589793d0)
(defconstant most-positive-fixnum 4611686018427387903)
(defconstant most-negative-fixnum -4611686018427387904)
(defconstant char-code-limit 1114112)

(swankd::%define-condition-type 'swankd::simple-parse-error '(simple-condition parse-error) nil
                                (lambda (c s)
                                  (apply #'format s (swankd::%condition-slot c 'format-control "")
                                         (swankd::%condition-slot c 'format-arguments nil))))

(defun parse-integer (string &key (start 0) end (radix 10) junk-allowed)
  (let ((scan (swankd::%parse-integer string start end radix)))
    (cond ((null (caddr scan)) (values (car scan) (cadr scan)))
          (junk-allowed (values (car scan) (cadr scan)))
          ((eq (caddr scan) :empty)
           (error 'swankd::simple-parse-error
                  :format-control "no non-whitespace characters in string ~S."
                  :format-arguments (list string)))
          (t (error 'swankd::simple-parse-error
                    :format-control "junk in string ~S"
                    :format-arguments (list string))))))

(defun make-list (size &key initial-element)
  "A list of SIZE elements, each INITIAL-ELEMENT."
  (check-type size (integer 0))
  (let ((list nil))
    (dotimes (index size list)
      (push initial-element list))))

;;;; DEFSTRUCT. Instances are structure objects (builtins/structs.rs); the structure's
;;;; description (layout and slot defaults) is kept on its name's property list, for
;;;; :INCLUDE and TYPEP.

(defun swankd::%struct-symbol (&rest parts)
  (intern (apply #'concatenate 'string (mapcar #'string parts))))

(defun swankd::%lambda-list-variables (lambda-list)
  (let ((variables nil))
    (dolist (item lambda-list (nreverse variables))
      (cond ((member item '(&optional &rest &key &aux &allow-other-keys)))
            ((consp item) (push (if (consp (car item)) (cadar item) (car item)) variables))
            (t (push item variables))))))

(defmacro defstruct (name-and-options &rest slot-descriptions)
  "Defines a structure type: a constructor (MAKE-NAME with keyword arguments, or BOA
constructors given with :CONSTRUCTOR), accessors usable with SETF, a predicate and a
copier. Options: :CONC-NAME, :CONSTRUCTOR, :PREDICATE, :COPIER, :INCLUDE."
  (let* ((name (if (consp name-and-options) (car name-and-options) name-and-options))
         (options (if (consp name-and-options) (cdr name-and-options) nil))
         (conc-name (concatenate 'string (symbol-name name) "-"))
         (constructors nil)
         (default-constructor t)
         (predicate (swankd::%struct-symbol name "-P"))
         (copier (swankd::%struct-symbol "COPY-" name))
         (include nil))
    (when (stringp (car slot-descriptions)) (pop slot-descriptions))
    (dolist (option options)
      (let ((key (if (consp option) (car option) option))
            (args (if (consp option) (cdr option) nil)))
        (case key
          (:conc-name (setq conc-name (if (car args) (string (car args)) "")))
          (:constructor
           (cond ((null args))
                 ((null (car args)) (setq default-constructor nil))
                 ((cdr args) (push args constructors) (setq default-constructor nil))
                 (t (push (list (car args) :keys) constructors) (setq default-constructor nil))))
          (:predicate (setq predicate (car args)))
          (:copier (setq copier (car args)))
          (:include (setq include (car args)))
          (t (error "DEFSTRUCT option ~S is not supported by swankd" key)))))
    (when default-constructor
      (push (list (swankd::%struct-symbol "MAKE-" name) :keys) constructors))
    (let* ((parent (and include
                        (or (get include 'swankd::structure)
                            (error "~S is not a defined structure type" include))))
           (slots (append (cadr parent)
                          (mapcar (lambda (d) (if (consp d) (list (car d) (cadr d)) (list d nil)))
                                  slot-descriptions)))
           (includes (and include (cons include (cadr (car parent)))))
           (layout (list* name includes (mapcar #'car slots)))
           (index -1))
      `(progn
         (swankd::%put ',name 'swankd::structure '(,layout ,slots))
         ,@(mapcar
            (lambda (constructor)
              (let ((cname (car constructor)) (arglist (cadr constructor)))
                (if (eq arglist :keys)
                    `(defun ,cname (&key ,@slots)
                       (swankd::%make-struct ',layout (list ,@(mapcar #'car slots))))
                    (let ((given (swankd::%lambda-list-variables arglist)))
                      `(defun ,cname ,arglist
                         (swankd::%make-struct
                          ',layout
                          (list ,@(mapcar (lambda (slot)
                                            (if (member (car slot) given) (car slot) (cadr slot)))
                                          slots))))))))
            constructors)
         ,@(and predicate
                `((defun ,predicate (object) (swankd::%struct-type-p object ',name))))
         ,@(and copier
                `((defun ,copier (object) (swankd::%copy-struct object))))
         ,@(mapcan
            (lambda (slot)
              (setq index (1+ index))
              (let ((accessor (swankd::%struct-symbol conc-name (car slot))))
                `((defun ,accessor (object) (swankd::%struct-ref object ',name ,index))
                  (swankd::%put ',accessor 'swankd::setf-expander
                                (lambda (value object)
                                  (list 'swankd::%struct-set object '',name ,index value))))))
            slots)
         ',name))))

(defun read (&optional stream (eof-error-p t) eof-value recursive-p)
  "Reads one form from STREAM (default *STANDARD-INPUT*), taking lines until they hold a
complete form; what follows the form is left in STREAM for the next read (except on a
socket stream, where the rest of its last line is dropped), but for one whitespace
character right after it, unless RECURSIVE-P."
  (swankd::%read-stream stream eof-error-p eof-value recursive-p))

(defun swankd::%read-stream (stream eof-error-p eof-value preserve-whitespace)
  "READ from STREAM; PRESERVE-WHITESPACE leaves a whitespace character that follows the
form in STREAM."
  ;; From an echo stream, lines are taken from its input and %FINISH-READ echoes what the
  ;; form used.
  (let ((text nil)
        (source (swankd::%read-source stream)))
    (loop
      (multiple-value-bind (line missing-newline-p) (read-line source nil :eof)
        (when (eq line :eof)
          (when text
            (swankd::%finish-read stream source text (length text)))
          (if (or (null text) eof-error-p)
              (if eof-error-p
                  (error 'end-of-file :stream stream)
                  (return eof-value))
              (return eof-value)))
        (setq text (concatenate 'string (or text "") line
                                (if missing-newline-p "" (string #\Newline))))
        ;; A form the lines so far cut short (END-OF-FILE) waits for the next line.
        (let* ((end 0)
               (form (handler-case (multiple-value-bind (form position)
                                       (read-from-string
                                        text nil :incomplete
                                        :preserve-whitespace preserve-whitespace)
                                     (setq end position)
                                     form)
                       (end-of-file () :incomplete))))
          (unless (eq form :incomplete)
            (swankd::%finish-read stream source text end)
            (return form)))))))

(defun read-sequence (sequence stream &key (start 0) end)
  "Fills SEQUENCE from START to END with what is read from STREAM (a string takes
characters, a vector bytes), waiting for input; returns the index after the last element
stored, which is before END only at the end of input."
  (let ((end (or end (length sequence)))
        (position start))
    (loop
      (when (>= position end) (return position))
      (let ((next (swankd::%read-sequence-some sequence stream position end)))
        (when (= next position) (return position))
        (setq position next)))))
(defmacro define-compiler-macro (name lambda-list &body body)
  "Records a compiler macro for NAME. swankd's compiler does not apply compiler macros
(Common Lisp lets it not); COMPILER-MACRO-FUNCTION and the editor's macro stepper do."
  (let ((expander (make-symbol (format nil "~A-COMPILER-MACRO" (symbol-name name)))))
    `(progn
       (defmacro ,expander ,lambda-list ,@body)
       (swankd::%put ',name 'swankd::compiler-macro (macro-function ',expander))
       ',name)))

(defun compiler-macro-function (name &optional environment)
  "The expander DEFINE-COMPILER-MACRO recorded for NAME, or NIL."
  (declare (ignore environment))
  (and (symbolp name) (get name 'swankd::compiler-macro)))

(defun swankd::%eval-in-order (forms)
  "EVAL of (PROGN . FORMS): each form is compiled only once the ones before it have run,
so that a macro one defines can be used by the next, as at Common Lisp's top level."
  (let ((results nil))
    (dolist (form forms (values-list results))
      (setq results (multiple-value-list (eval form))))))

(defmacro defpackage (name &rest options)
  "Makes the package NAME, or brings an existing one up to date, from OPTIONS: :nicknames,
:use (nothing when absent, as in SBCL), :export, :shadow, :shadowing-import-from,
:import-from, :intern, :documentation (:size, :lock and :local-nicknames are accepted and
ignored)."
  (let ((nicknames nil) (use nil) (exports nil) (shadows nil) (shadowing-imports nil)
        (imports nil) (interns nil) (documentation nil))
    (dolist (option options)
      (unless (consp option)
        (error "malformed DEFPACKAGE option ~S" option))
      (case (car option)
        (:nicknames (setq nicknames (append nicknames (cdr option))))
        (:use (setq use (append use (cdr option))))
        (:export (setq exports (append exports (cdr option))))
        (:shadow (setq shadows (append shadows (cdr option))))
        (:shadowing-import-from (setq shadowing-imports (append shadowing-imports (list (cdr option)))))
        (:import-from (setq imports (append imports (list (cdr option)))))
        (:intern (setq interns (append interns (cdr option))))
        (:documentation (setq documentation (cadr option)))
        ((:size :lock :local-nicknames) nil)
        (t (error "unsupported DEFPACKAGE option ~S" (car option)))))
    (flet ((names (designators) (mapcar #'string designators))
           (imports (specs) (mapcar (lambda (spec) (mapcar #'string spec)) specs)))
      `(swankd::%defpackage ,(string name) ',(names nicknames) ',(names use) ',(names shadows)
                            ',(imports shadowing-imports) ',(imports imports)
                            ',(names interns) ',(names exports) ,documentation))))

(defun swankd::%defpackage (name nicknames use shadows shadowing-imports imports interns
                            exports documentation)
  (declare (ignore documentation))
  (let ((package (or (find-package name) (make-package name :use nil))))
    (rename-package package name nicknames)
    (shadow shadows package)
    (flet ((import-from (spec shadowing)
             (let ((from (or (find-package (car spec))
                             (error "DEFPACKAGE ~A: there is no package ~A." name (car spec)))))
               (dolist (symbol-name (cdr spec))
                 (multiple-value-bind (symbol status) (find-symbol symbol-name from)
                   (unless status
                     (error "DEFPACKAGE ~A: ~A is not a symbol of ~A." name symbol-name
                            (package-name from)))
                   (if shadowing
                       (shadowing-import symbol package)
                       (import symbol package)))))))
      (dolist (spec shadowing-imports) (import-from spec t))
      (use-package use package)
      (dolist (spec imports) (import-from spec nil)))
    (dolist (symbol-name interns) (intern symbol-name package))
    (dolist (symbol-name exports) (export (intern symbol-name package) package))
    package))

(defmacro do-symbols ((var &optional (package '*package*) result) &body body)
  "Runs BODY with VAR bound to each symbol accessible in PACKAGE, then returns RESULT."
  `(dolist (,var (swankd::%package-symbols ,package nil) ,result) ,@body))

(defmacro do-external-symbols ((var &optional (package '*package*) result) &body body)
  "Runs BODY with VAR bound to each external symbol of PACKAGE, then returns RESULT."
  `(dolist (,var (swankd::%package-symbols ,package t) ,result) ,@body))

(defmacro do-all-symbols ((var &optional result) &body body)
  "Runs BODY with VAR bound to each symbol present in any package, then returns RESULT."
  (let ((package (gensym "PACKAGE")))
    `(dolist (,package (list-all-packages) (let ((,var nil)) (declare (ignorable ,var)) ,result))
       (do-symbols (,var ,package) ,@body))))

(defmacro progv (symbols values &body body)
  "Binds the symbols SYMBOLS evaluates to, dynamically, to VALUES (unbound past their end)
while BODY runs."
  (let ((depth (gensym "DEPTH")))
    `(let ((,depth (swankd::%progv-bind ,symbols ,values)))
       (unwind-protect (progn ,@body)
         (swankd::%unbind-to ,depth)))))

(defun swankd::%ask (control arguments choices yes no complaint)
  "Asks the question CONTROL and ARGUMENTS format on *STANDARD-OUTPUT* until a line read
from *STANDARD-INPUT* is one of YES (true) or NO (false)."
  (loop
    (fresh-line)
    (when control (apply #'format t control arguments))
    (format t " ~a " choices)
    (finish-output)
    (let ((answer (string-trim '(#\Space #\Tab) (read-line))))
      (cond ((member answer yes :test #'string-equal) (return t))
            ((member answer no :test #'string-equal) (return nil))
            (t (format t "~a~%" complaint))))))

(defun y-or-n-p (&optional control &rest arguments)
  "Asks a yes-or-no question and reads y or n (at the REPL, Emacs asks for the line)."
  (swankd::%ask control arguments "(y or n)" '("y") '("n")
                "Please type \"y\" for yes or \"n\" for no."))

(defun yes-or-no-p (&optional control &rest arguments)
  "Asks a yes-or-no question and reads yes or no."
  (swankd::%ask control arguments "(yes or no)" '("yes") '("no")
                "Please type \"yes\" for yes or \"no\" for no."))

(defun open (filename &key (direction :input) element-type (if-exists :error)
                           (if-does-not-exist nil if-does-not-exist-p) external-format)
  "Opens the file FILENAME (a string, relative to the working directory) for :INPUT (its
text, read whole) or :OUTPUT (:IF-EXISTS :ERROR, :SUPERSEDE, :APPEND or NIL). Files are
text in UTF-8; ELEMENT-TYPE other than characters is not supported."
  (declare (ignore external-format))
  (when (and element-type (not (member element-type '(character base-char :default))))
    (error "unsupported in swankd: OPEN with :ELEMENT-TYPE ~S" element-type))
  (swankd::%open-file (swankd::%file-name filename) direction if-exists
                      (if if-does-not-exist-p
                          if-does-not-exist
                          (if (eq direction :input) :error :create))))

(defmacro with-open-file ((stream filename &rest options) &body body)
  "Runs BODY with STREAM open on FILENAME (see OPEN), closing it however BODY exits."
  `(let ((,stream (open ,filename ,@options)))
     (unwind-protect (progn ,@body)
       (when ,stream (close ,stream)))))

(defmacro with-open-stream ((var stream) &body body)
  "Runs BODY with VAR bound to STREAM, closing it however BODY exits."
  `(let ((,var ,stream))
     (unwind-protect (progn ,@body)
       (close ,var))))

(defun write-to-string (object &rest keys &key &allow-other-keys)
  "OBJECT printed as WRITE with KEYS prints it, as a string."
  (with-output-to-string (stream)
    (apply #'write object :stream stream keys)))

(defun make-sequence (type size &key (initial-element nil initial-p))
  "A new sequence of TYPE (a list, vector or string type) with SIZE elements."
  (let ((kind (if (consp type) (car type) type)))
    (cond ((member kind '(list cons null)) (make-list size :initial-element initial-element))
          ((member kind '(string simple-string base-string simple-base-string))
           (make-string size :initial-element (if initial-p initial-element #\Nul)))
          ((member kind '(vector simple-vector array simple-array))
           (make-array size :initial-element initial-element))
          (t (error "unsupported in swankd: MAKE-SEQUENCE of type ~S" type)))))

(defun nstring-upcase (string &key (start 0) end)
  "STRING with the characters from START to END upcased, in place."
  (replace string (string-upcase string :start start :end end)))

(defun nstring-downcase (string &key (start 0) end)
  "STRING with the characters from START to END downcased, in place."
  (replace string (string-downcase string :start start :end end)))

(defun standard-char-p (character)
  "Whether CHARACTER is one of the 96 standard characters."
  (unless (characterp character) (error 'type-error :datum character :expected-type 'character))
  (let ((code (char-code character)))
    (or (<= 32 code 126) (= code 10))))

(defun swankd::%float-rounding (function number divisor)
  (multiple-value-bind (quotient remainder) (funcall function number divisor)
    (values (float quotient (if (floatp number) number (if (floatp divisor) divisor 1.0)))
            remainder)))

(defun ffloor (number &optional (divisor 1))
  "FLOOR, with the quotient as a float."
  (swankd::%float-rounding #'floor number divisor))
(defun fceiling (number &optional (divisor 1))
  "CEILING, with the quotient as a float."
  (swankd::%float-rounding #'ceiling number divisor))
(defun ftruncate (number &optional (divisor 1))
  "TRUNCATE, with the quotient as a float."
  (swankd::%float-rounding #'truncate number divisor))
(defun fround (number &optional (divisor 1))
  "ROUND, with the quotient as a float."
  (swankd::%float-rounding #'round number divisor))

;;; Bytes of integers, BOOLE, and the parts of real numbers (there are no complex numbers).

(defun byte (size position)
  "A byte specifier for SIZE bits starting POSITION bits from the least significant."
  (cons size position))

(defun byte-size (bytespec) (car bytespec))

(defun byte-position (bytespec) (cdr bytespec))

(defun swankd::%byte-mask (bytespec)
  (ash (1- (ash 1 (byte-size bytespec))) (byte-position bytespec)))

(defun ldb (bytespec integer)
  "The bits of INTEGER that BYTESPEC selects, shifted down to bit 0."
  (logand (ash integer (- (byte-position bytespec))) (1- (ash 1 (byte-size bytespec)))))

(defun ldb-test (bytespec integer)
  "True if any bit of INTEGER that BYTESPEC selects is set."
  (not (zerop (ldb bytespec integer))))

(defun mask-field (bytespec integer)
  "INTEGER with every bit outside BYTESPEC cleared."
  (logand integer (swankd::%byte-mask bytespec)))

(defun dpb (newbyte bytespec integer)
  "INTEGER with the bits BYTESPEC selects replaced by the low bits of NEWBYTE."
  (let ((mask (swankd::%byte-mask bytespec)))
    (logior (logand integer (lognot mask))
            (logand (ash newbyte (byte-position bytespec)) mask))))

(defun deposit-field (newbyte bytespec integer)
  "INTEGER with the bits BYTESPEC selects replaced by the same bits of NEWBYTE."
  (let ((mask (swankd::%byte-mask bytespec)))
    (logior (logand integer (lognot mask)) (logand newbyte mask))))

(defun swankd::%byte-place-expander (depositor)
  "The SETF expander of a byte place (LDB, MASK-FIELD): it stores into the inner place what
DEPOSITOR makes of the new value, the byte specifier and the place's old value."
  (lambda (value bytespec place)
    (let ((new (gensym "NEW")))
      `(let ((,new ,value))
         ,(setf-expansion place `(,depositor ,new ,bytespec ,place))
         ,new))))

(swankd::%put 'ldb 'swankd::setf-expander (swankd::%byte-place-expander 'dpb))
(swankd::%put 'mask-field 'swankd::setf-expander (swankd::%byte-place-expander 'deposit-field))

(defun logandc1 (integer-1 integer-2) (logand (lognot integer-1) integer-2))
(defun logandc2 (integer-1 integer-2) (logand integer-1 (lognot integer-2)))
(defun logorc1 (integer-1 integer-2) (logior (lognot integer-1) integer-2))
(defun logorc2 (integer-1 integer-2) (logior integer-1 (lognot integer-2)))
(defun lognand (integer-1 integer-2) (lognot (logand integer-1 integer-2)))
(defun lognor (integer-1 integer-2) (lognot (logior integer-1 integer-2)))
(defun logeqv (&rest integers) (lognot (apply #'logxor integers)))
(defun logtest (integer-1 integer-2) (not (zerop (logand integer-1 integer-2))))

(defconstant boole-clr 0)
(defconstant boole-set 1)
(defconstant boole-1 2)
(defconstant boole-2 3)
(defconstant boole-c1 4)
(defconstant boole-c2 5)
(defconstant boole-and 6)
(defconstant boole-ior 7)
(defconstant boole-xor 8)
(defconstant boole-eqv 9)
(defconstant boole-nand 10)
(defconstant boole-nor 11)
(defconstant boole-andc1 12)
(defconstant boole-andc2 13)
(defconstant boole-orc1 14)
(defconstant boole-orc2 15)

(defun boole (op integer-1 integer-2)
  "The bitwise operation OP (one of the BOOLE- constants) of INTEGER-1 and INTEGER-2."
  (case op
    (0 0) (1 -1) (2 integer-1) (3 integer-2) (4 (lognot integer-1)) (5 (lognot integer-2))
    (6 (logand integer-1 integer-2)) (7 (logior integer-1 integer-2))
    (8 (logxor integer-1 integer-2)) (9 (logeqv integer-1 integer-2))
    (10 (lognand integer-1 integer-2)) (11 (lognor integer-1 integer-2))
    (12 (logandc1 integer-1 integer-2)) (13 (logandc2 integer-1 integer-2))
    (14 (logorc1 integer-1 integer-2)) (15 (logorc2 integer-1 integer-2))
    (t (error 'type-error :datum op :expected-type '(integer 0 15)))))

(defconstant most-positive-single-float 3.4028235e38)
(defconstant most-negative-single-float -3.4028235e38)
(defconstant least-positive-single-float 1.4012985e-45)
(defconstant least-negative-single-float -1.4012985e-45)
(defconstant least-positive-normalized-single-float 1.1754944e-38)
(defconstant least-negative-normalized-single-float -1.1754944e-38)
(defconstant single-float-epsilon 5.960465e-8)
(defconstant single-float-negative-epsilon 2.9802326e-8)
(defconstant most-positive-double-float 1.7976931348623157d308)
(defconstant most-negative-double-float -1.7976931348623157d308)
(defconstant least-positive-double-float 4.9406564584124654d-324)
(defconstant least-negative-double-float -4.9406564584124654d-324)
(defconstant least-positive-normalized-double-float 2.2250738585072014d-308)
(defconstant least-negative-normalized-double-float -2.2250738585072014d-308)
(defconstant double-float-epsilon 1.1102230246251568d-16)
(defconstant double-float-negative-epsilon 5.551115123125784d-17)
(defconstant most-positive-short-float most-positive-single-float)
(defconstant most-negative-short-float most-negative-single-float)
(defconstant least-positive-short-float least-positive-single-float)
(defconstant least-negative-short-float least-negative-single-float)
(defconstant least-positive-normalized-short-float least-positive-normalized-single-float)
(defconstant least-negative-normalized-short-float least-negative-normalized-single-float)
(defconstant short-float-epsilon single-float-epsilon)
(defconstant short-float-negative-epsilon single-float-negative-epsilon)
(defconstant most-positive-long-float most-positive-double-float)
(defconstant most-negative-long-float most-negative-double-float)
(defconstant least-positive-long-float least-positive-double-float)
(defconstant least-negative-long-float least-negative-double-float)
(defconstant least-positive-normalized-long-float least-positive-normalized-double-float)
(defconstant least-negative-normalized-long-float least-negative-normalized-double-float)
(defconstant long-float-epsilon double-float-epsilon)
(defconstant long-float-negative-epsilon double-float-negative-epsilon)

(defun swankd::%real (number)
  (if (realp number) number (error 'type-error :datum number :expected-type 'number)))

(defun realpart (number)
  "The real part of NUMBER: NUMBER itself, as swankd has no complex numbers."
  (swankd::%real number))

(defun imagpart (number)
  "The imaginary part of NUMBER: zero of its type, as swankd has no complex numbers."
  (if (floatp (swankd::%real number)) (float 0 number) 0))

(defun conjugate (number)
  "The complex conjugate of NUMBER: NUMBER itself, as swankd has no complex numbers."
  (swankd::%real number))

(defun phase (number)
  "The angle of NUMBER in the complex plane: pi for negative reals, else zero."
  (let ((x (if (floatp (swankd::%real number)) number (float number))))
    (if (minusp x) (float pi x) (float 0 x))))

(defmacro with-package-iterator ((name package-list-form &rest symbol-types) &body body)
  "Defines NAME as a local macro: each (NAME) gives T, a symbol, its accessibility (one of
SYMBOL-TYPES: :internal, :external, :inherited) and the package, for each symbol accessible
in the packages of PACKAGE-LIST-FORM as they were on entry, then NIL."
  (let ((entries (gensym "ENTRIES")))
    `(let ((,entries (swankd::%package-iterator-entries ,package-list-form ',symbol-types)))
       (macrolet ((,name () '(swankd::%next-package-entry ,entries)))
         ,@body))))

(defun swankd::%package-iterator-entries (packages symbol-types)
  (let ((entries nil))
    (dolist (designator (if (listp packages) packages (list packages)) (nreverse entries))
      (let ((package (or (find-package designator)
                         (error 'package-error :package designator))))
        (do-symbols (symbol package)
          (multiple-value-bind (found status) (find-symbol (symbol-name symbol) package)
            (when (and (eq found symbol) (member status symbol-types))
              (push (list symbol status package) entries))))))))

(defmacro swankd::%next-package-entry (entries)
  (let ((entry (gensym "ENTRY")))
    `(let ((,entry (pop ,entries)))
       (if ,entry (values t (first ,entry) (second ,entry) (third ,entry)) nil))))

(defmacro define-setf-expander (access-fn lambda-list &body body)
  "Defines how SETF stores into (ACCESS-FN ...): BODY, run with LAMBDA-LIST bound to the
place's arguments, returns the five values of a setf expansion (temporaries, their value
forms, the store variables, the storing form and the accessing form)."
  (let ((value (gensym "VALUE")) (args (gensym "ARGS")))
    `(progn
       (swankd::%put ',access-fn 'swankd::setf-expander
                     (lambda (,value &rest ,args)
                       (multiple-value-bind (temps vals stores store-form)
                           (apply (lambda ,lambda-list ,@body) ,args)
                         (declare (ignorable vals))
                         (list 'let* (mapcar #'list temps vals)
                               (list 'multiple-value-bind stores ,value store-form)))))
       ',access-fn)))

(defun get-setf-expansion (place &optional environment)
  "The five values of a setf expansion of PLACE: temporaries, their value forms, the store
variables, the storing form and the accessing form. swankd's expansions of compound places
evaluate the place's subforms again in the storing form."
  (let ((place (if (consp place) place (macroexpand place environment)))
        (store (gensym "NEW")))
    (values nil nil (list store) (setf-expansion place store) place)))

;;; The rest of the standard's place macros, LOOP-FINISH, TIME.

(defmacro psetf (&rest pairs)
  "Like SETF, but every value is computed before any place is stored; returns NIL."
  (let ((bindings nil) (stores nil))
    (swankd::%repeat
      (when (null pairs) (return nil))
      (let ((temp (gensym "NEW")))
        (push (list temp (cadr pairs)) bindings)
        (push `(setf ,(car pairs) ,temp) stores))
      (setq pairs (cddr pairs)))
    `(let ,(reverse bindings) ,@(reverse stores) nil)))

(defmacro shiftf (&rest places-and-value)
  "Stores into each place the value of the next (the last place gets the last form) and
returns the first place's old value."
  (let* ((places (butlast places-and-value))
         (temps (mapcar (lambda (place) (declare (ignore place)) (gensym "OLD")) places))
         (new (gensym "NEW")))
    `(let (,@(mapcar #'list temps places) (,new ,(car (last places-and-value))))
       ,@(mapcar (lambda (place value) `(setf ,place ,value))
                 places (append (cdr temps) (list new)))
       ,(car temps))))

(defmacro rotatef (&rest places)
  "Stores into each place the value of the next, and into the last the first's; NIL."
  (when places
    `(progn (shiftf ,@places ,(car places)) nil)))

(defmacro define-modify-macro (name lambda-list function &optional documentation)
  "Defines NAME as a macro of a place and LAMBDA-LIST's arguments that stores
(FUNCTION place-value arguments...) into the place, as INCF does with +."
  (let ((place (gensym "PLACE")) (arguments nil) (rest nil))
    (dolist (item lambda-list)
      (cond ((member item '(&optional &rest)) (when (eq item '&rest) (setq rest t)))
            (rest (setq rest item))
            (t (push (if (consp item) (car item) item) arguments))))
    `(defmacro ,name (,place ,@lambda-list)
       ,@(when documentation (list documentation))
       ,(if (symbolp rest)
            (if rest
                `(list 'setf ,place (list* ',function ,place ,@(reverse arguments) ,rest))
                `(list 'setf ,place (list ',function ,place ,@(reverse arguments))))
            `(list 'setf ,place (list ',function ,place ,@(reverse arguments)))))))

(defmacro loop-finish ()
  "Inside a LOOP with clauses: ends the iteration and runs its FINALLY forms."
  '(return-from swankd::%loop-exit nil))

(defmacro with-compilation-unit ((&rest options) &body body)
  "Evaluates BODY. swankd reports compiler notes per form, so there is nothing to defer."
  (declare (ignore options))
  `(progn ,@body))

(defmacro time (form)
  "Evaluates FORM, prints to *TRACE-OUTPUT* the real and run time it took, and returns its
values."
  (let ((real (gensym "REAL")) (run (gensym "RUN")) (values (gensym "VALUES")))
    `(let* ((,real (get-internal-real-time))
            (,run (get-internal-run-time))
            (,values (multiple-value-list ,form)))
       (format *trace-output* "~&Evaluation took:~%  ~,3f seconds of real time~%  ~,3f seconds of total run time~%"
               (/ (- (get-internal-real-time) ,real) internal-time-units-per-second 1.0)
               (/ (- (get-internal-run-time) ,run) internal-time-units-per-second 1.0))
       (values-list ,values))))

(defmacro restart-bind (bindings &body body)
  "Makes each (NAME FUNCTION &key REPORT-FUNCTION ...) of BINDINGS a restart around BODY:
invoking it calls FUNCTION with the arguments and returns what it returns, without
leaving BODY unless FUNCTION does."
  `(let ((swankd::*restart-clusters*
           (cons (list ,@(mapcar (lambda (binding)
                                   (destructuring-bind (name function &key report-function
                                                        interactive-function test-function)
                                       binding
                                     `(swankd::%make-restart ',name ,function ,report-function
                                                             ,interactive-function ,test-function)))
                                 bindings))
                 swankd::*restart-clusters*)))
     ,@body))

;;; More of the standard's small functions.

(defun pprint (object &optional stream)
  "Prints a newline and then OBJECT pretty-printed, with escapes, to STREAM; no values."
  (terpri stream)
  (let ((*print-escape* t) (*print-pretty* t))
    (prin1 object stream))
  (values))

(defun apropos-list (string-designator &optional package external-only)
  "Returns the symbols whose names contain STRING-DESIGNATOR, in any case, sorted by name:
those accessible in PACKAGE (only its external ones with EXTERNAL-ONLY), or in every
package when PACKAGE is NIL."
  (let ((text (string string-designator))
        (seen (make-hash-table :test 'eq))
        (found nil))
    (flet ((consider (symbol)
             (when (and (not (gethash symbol seen))
                        (search text (symbol-name symbol) :test #'char-equal))
               (setf (gethash symbol seen) t)
               (push symbol found))))
      (cond ((null package) (do-all-symbols (symbol) (consider symbol)))
            (external-only (do-external-symbols (symbol package) (consider symbol)))
            (t (do-symbols (symbol package) (consider symbol)))))
    (sort found #'string< :key #'symbol-name)))

(defun apropos (string-designator &optional package external-only)
  "Prints each symbol APROPOS-LIST finds, with its value if it is bound and (fbound) if it
names a function or macro; returns no values."
  (dolist (symbol (apropos-list string-designator package external-only))
    (fresh-line)
    (let ((*package* (find-package :keyword))) (prin1 symbol))
    (when (boundp symbol) (format t " = ~S" (symbol-value symbol)))
    (when (fboundp symbol) (write-string " (fbound)")))
  (values))

(defun disassemble (fn &key (stream *standard-output*))
  "Prints the bytecode of FN (a function, a name of one, or a lambda expression) to STREAM;
returns NIL. Functions built into swankd have no bytecode and say so."
  (let ((function (cond ((functionp fn) fn)
                        ((and (consp fn) (eq (car fn) 'lambda)) (compile nil fn))
                        (t (fdefinition fn)))))
    (write-string (swankd::%disassemble function) stream)
    nil))

(defmacro pprint-logical-block ((stream-symbol object &key prefix per-line-prefix (suffix ""))
                                &body body)
  "Prints OBJECT as a logical block on the stream STREAM-SYMBOL names, running BODY.
PREFIX (or PER-LINE-PREFIX, repeated on every line) comes first and SUFFIX last; within
BODY, PPRINT-POP takes OBJECT's next element and PPRINT-EXIT-IF-LIST-EXHAUSTED ends the
block when none is left. If OBJECT is not a list it is printed with WRITE instead.
STREAM-SYMBOL T means *STANDARD-OUTPUT* here, where the standard says *TERMINAL-IO*."
  (when (and prefix per-line-prefix)
    (error "PPRINT-LOGICAL-BLOCK takes :PREFIX or :PER-LINE-PREFIX, not both"))
  (let* ((stream (case stream-symbol
                   ((nil t) '*standard-output*)
                   (t stream-symbol)))
         (list (gensym "LIST"))
         (count (gensym "COUNT"))
         (block-name (gensym "BLOCK"))
         (pop-expansion
           `(cond ((and ,list (atom ,list))
                   (write-string ". " ,stream)
                   (write ,list :stream ,stream)
                   (return-from ,block-name nil))
                  ((and *print-length* (>= ,count *print-length*))
                   (write-string "..." ,stream)
                   (return-from ,block-name nil))
                  (t (setq ,count (1+ ,count))
                     (pop ,list))))
         (exit-expansion `(when (null ,list) (return-from ,block-name nil))))
    `(let ((,stream (if (member ,stream '(nil t)) *standard-output* ,stream))
           (,list ,object)
           (,count 0))
       (declare (ignorable ,count))
       (if (not (listp ,list))
           (write ,list :stream ,stream)
           (when (swankd::%begin-logical-block ,stream ,(or per-line-prefix prefix "")
                                               ,(and per-line-prefix t) ,suffix)
             (unwind-protect
                  (block ,block-name
                    (macrolet ((pprint-pop () ',pop-expansion)
                               (pprint-exit-if-list-exhausted () ',exit-expansion))
                      ,@body))
               (swankd::%end-logical-block ,stream))))
       nil)))

(defmacro pprint-pop ()
  "Inside PPRINT-LOGICAL-BLOCK: the list's next element, or the end of the block."
  (error "PPRINT-POP is used outside PPRINT-LOGICAL-BLOCK"))

(defmacro pprint-exit-if-list-exhausted ()
  "Inside PPRINT-LOGICAL-BLOCK: ends the block when its list has no elements left."
  (error "PPRINT-EXIT-IF-LIST-EXHAUSTED is used outside PPRINT-LOGICAL-BLOCK"))

(defun swankd::%pprint-separated (stream list colon kind &optional tabsize)
  "LIST's elements on STREAM as a logical block, in parentheses with COLON, with a KIND
newline after each space (and, with TABSIZE, a tab to the next column of that width)."
  (pprint-logical-block (stream list :prefix (if colon "(" "") :suffix (if colon ")" ""))
    (pprint-exit-if-list-exhausted)
    (loop
      (write (pprint-pop) :stream stream)
      (pprint-exit-if-list-exhausted)
      (write-char #\Space stream)
      (when tabsize (pprint-tab :section-relative 0 tabsize stream))
      (pprint-newline kind stream))))

(defun pprint-fill (stream list &optional (colon t) at-sign)
  "Prints LIST's elements to STREAM with as many on each line as fit (in parentheses
unless COLON is NIL)."
  (declare (ignore at-sign))
  (swankd::%pprint-separated stream list colon :fill))

(defun pprint-linear (stream list &optional (colon t) at-sign)
  "Prints LIST's elements to STREAM all on one line or each on its own (in parentheses
unless COLON is NIL)."
  (declare (ignore at-sign))
  (swankd::%pprint-separated stream list colon :linear))

(defun pprint-tabular (stream list &optional (colon t) at-sign (tabsize 16))
  "Prints LIST's elements to STREAM filled in columns TABSIZE wide (in parentheses unless
COLON is NIL)."
  (declare (ignore at-sign))
  (swankd::%pprint-separated stream list colon :fill tabsize))

(defun caaaar (x) (car (car (car (car x)))))
(defun caaadr (x) (car (car (car (cdr x)))))
(defun caadar (x) (car (car (cdr (car x)))))
(defun caaddr (x) (car (car (cdr (cdr x)))))
(defun cadaar (x) (car (cdr (car (car x)))))
(defun cadadr (x) (car (cdr (car (cdr x)))))
(defun caddar (x) (car (cdr (cdr (car x)))))
(defun cdaaar (x) (cdr (car (car (car x)))))
(defun cdaadr (x) (cdr (car (car (cdr x)))))
(defun cdadar (x) (cdr (car (cdr (car x)))))
(defun cdaddr (x) (cdr (car (cdr (cdr x)))))
(defun cddaar (x) (cdr (cdr (car (car x)))))
(defun cddadr (x) (cdr (cdr (car (cdr x)))))
(defun cdddar (x) (cdr (cdr (cdr (car x)))))
(defun cddddr (x) (cdr (cdr (cdr (cdr x)))))

(defvar swankd::*gentemp-counter* 0)

(defun gentemp (&optional (prefix "T") (package *package*))
  "Interns and returns a symbol named PREFIX followed by a number, one not yet in PACKAGE."
  (swankd::%repeat
    (setq swankd::*gentemp-counter* (1+ swankd::*gentemp-counter*))
    (let ((name (format nil "~A~D" prefix swankd::*gentemp-counter*)))
      (unless (find-symbol name package)
        (return (values (intern name package)))))))

(defun nstring-capitalize (string &key (start 0) end)
  "Capitalizes the words of STRING from START below END in place; returns STRING."
  (replace string (string-capitalize (subseq string start end)) :start1 start))

(defun nsubst-if (new predicate tree &key key)
  "SUBST-IF; swankd builds a new tree rather than modifying TREE."
  (subst-if new predicate tree :key key))

(defun nsubst-if-not (new predicate tree &key key)
  "SUBST-IF-NOT; swankd builds a new tree rather than modifying TREE."
  (subst-if-not new predicate tree :key key))

(defun nsubstitute-if-not (new predicate sequence &rest keys)
  "SUBSTITUTE-IF-NOT; swankd returns a new sequence rather than modifying SEQUENCE."
  (apply #'substitute-if-not new predicate sequence keys))

(defun nset-exclusive-or (list-1 list-2 &rest keys)
  "SET-EXCLUSIVE-OR; swankd returns a new list rather than reusing the arguments."
  (apply #'set-exclusive-or list-1 list-2 keys))

(defun stream-error-stream (condition)
  "The stream CONDITION, a STREAM-ERROR, is about; NIL for the end of a string stream,
whose error swankd does not tie to the stream."
  (swankd::%condition-slot condition 'stream nil))

(defun constantp (form &optional environment)
  "True if FORM always evaluates to the same value: a self-evaluating object, a keyword,
T or NIL, a constant variable, or a QUOTE form."
  (declare (ignore environment))
  (cond ((consp form) (and (eq (car form) 'quote) (consp (cdr form)) (null (cddr form))))
        ((symbolp form) (or (null form) (eq form t) (keywordp form)
                            (swankd::%constant-symbol-p form)))
        (t t)))

(defun (setf symbol-function) (function symbol)
  "Makes FUNCTION SYMBOL's global function, as DEFUN would (callers see it at once)."
  (swankd::%set-function symbol function))

(defun (setf fdefinition) (function name)
  "Makes FUNCTION the global function named NAME, a symbol."
  (setf (symbol-function name) function))

(defun compile (name &optional definition)
  "swankd compiles every function as it is defined, so COMPILE only installs or finds one.
With DEFINITION (a lambda expression or a function) it makes that function, stored as
NAME's unless NAME is NIL; without, it takes NAME's. Returns NAME (or, for NIL, the
function), then NIL and NIL: no warnings, no failure."
  (let ((function (cond ((functionp definition) definition)
                        (definition (eval (list 'function definition)))
                        (t (fdefinition name)))))
    (when (and name definition)
      (setf (symbol-function name) function))
    (values (or name function) nil nil)))

(defun character (character)
  "The character CHARACTER designates: itself, or the one character of a string or of a
symbol's name."
  (let ((text (if (characterp character) (string character) (string character))))
    (if (= (length text) 1)
        (char text 0)
        (error 'type-error :datum character :expected-type 'character))))

(defun copy-structure (structure)
  "A new structure of STRUCTURE's type holding the same slot values."
  (swankd::%copy-struct structure))

(defun invoke-restart-interactively (restart)
  "Invokes RESTART with the arguments its interactive function returns (none when it has
no interactive function)."
  (let* ((restart (swankd::%active-restart restart))
         (interactive (swankd::%restart-interactive restart)))
    (apply (swankd::%restart-function restart)
           (and interactive (funcall interactive)))))

(defun peek-char (&optional peek-type stream (eof-error-p t) eof-value recursive-p)
  (if (null peek-type)
      (swankd::%peek-char nil stream eof-error-p eof-value recursive-p)
      (let ((end (list :end)))
        (swankd::%repeat
          (let ((next (swankd::%peek-char nil stream eof-error-p end recursive-p)))
            (cond ((eq next end) (return eof-value))
                  ((if (eq peek-type t)
                       (not (member next '(#\Space #\Tab #\Newline #\Return #\Page)))
                       (char= next peek-type))
                   (return next))
                  (t (read-char stream))))))))

(defun read-char-no-hang (&optional stream (eof-error-p t) eof-value recursive-p)
  "READ-CHAR, except that on a stream whose input may have to be waited for (Emacs's
REPL, a socket) it returns NIL at once when no character is there yet."
  (if (and (swankd::%stream-may-wait-p stream)
           (not (listen stream))
           (not (swankd::%input-at-end-p stream)))
      nil
      (read-char stream eof-error-p eof-value recursive-p)))

(defun read-delimited-list (char &optional stream recursive-p)
  "Reads objects from STREAM until CHAR (after whitespace) and returns the list of them;
CHAR itself is read and dropped."
  (declare (ignore recursive-p))
  (let ((items nil))
    (swankd::%repeat
      (let ((next (peek-char t stream t nil)))
        (when (char= next char)
          (read-char stream)
          (return (nreverse items)))
        (push (read stream t nil t) items)))))

(defun copy-symbol (symbol &optional copy-properties)
  "Returns a new uninterned symbol of SYMBOL's name; with COPY-PROPERTIES, also with its
value, function and a copy of its property list."
  (let ((copy (make-symbol (symbol-name symbol))))
    (when copy-properties
      (when (boundp symbol) (setf (symbol-value copy) (symbol-value symbol)))
      (when (fboundp symbol) (setf (symbol-function copy) (symbol-function symbol)))
      ;; (SETF GET) adds at the front: set the properties last to first to keep the order.
      (let ((pairs nil))
        (do ((rest (symbol-plist symbol) (cddr rest))) ((null rest))
          (push (cons (first rest) (second rest)) pairs))
        (dolist (pair pairs) (setf (get copy (car pair)) (cdr pair)))))
    copy))

(defun clear-output (&optional stream)
  "Gives up output STREAM has buffered but not yet sent, where it can; returns NIL. For
swankd's streams, which send what is written, there is nothing to give up."
  (declare (ignore stream))
  nil)

(defun read-preserving-whitespace (&optional stream (eof-error-p t) eof-value recursive-p)
  "READ, leaving in STREAM a whitespace character that follows the form."
  (declare (ignore recursive-p))
  (swankd::%read-stream stream eof-error-p eof-value t))
