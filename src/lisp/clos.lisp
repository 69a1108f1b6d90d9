;;;; CLOS: classes, instances, generic functions and live class changes (a subset; see
;;;; docs/LANGUAGE.md). Read in the SWANKD package: the public names are interned in
;;;; COMMON-LISP beforehand (system.rs, CLOS_EXPORTS).
;;;;
;;;; Storage. Instances are Object::Instance (builtins/instances.rs): class, layout, slots.
;;;; A class metaobject is itself an instance with two raw slots: 0 its name, 1 its cell, an
;;;; uninterned symbol whose value is the class's current definition (a vector, below).
;;;; Redefining a class sets that value, so a redefinition is one global assignment, which
;;;; units of change (transaction.rs) install atomically, and instances keep their class.
;;;; An instance is up to date when its layout is EQ to its class's layout; otherwise it is
;;;; brought up to date the next time a slot of it is touched.
;;;;
;;;; Generic functions are instances too (0 name, 1 cell holding the method table, 2 the
;;;; function in the name's function cell, a closure over the instance that
;;;; %GENERIC-FUNCTION-OF finds again). The function calls %GF-CALL (dispatch.rs),
;;;; which looks the classes of the required arguments up in the table's inline cache, and
;;;; otherwise %GF-CALL-SLOW, which has a hash cache for all arguments and fills both.
;;;; The caches belong to one method table and are emptied when any class changes
;;;; (%CLASS-CHANGED). SLOT-VALUE and %SET-SLOT-VALUE are builtins with Lisp slow paths.

(defvar *unbound-slot* (make-symbol "UNBOUND-SLOT")
  "Stands for an unbound slot in the lists the instance builtins exchange.")
(defvar *class-epoch* 0 "Changes whenever a class is defined or redefined.")

;;; Class definitions: a vector indexed by these positions.
(defmacro def-supers (def) `(svref ,def 0))          ; direct superclasses (classes)
(defmacro def-direct-slots (def) `(svref ,def 1))    ; direct slot plists
(defmacro def-cpl (def) `(svref ,def 2))             ; class precedence list
(defmacro def-slots (def) `(svref ,def 3))           ; effective slots, see below
(defmacro def-layout (def) `(svref ,def 4))          ; vector of instance slot names
(defmacro def-subclasses (def) `(svref ,def 5))      ; direct subclasses
(defmacro def-default-initargs (def) `(svref ,def 6)) ; ((KEY FUNCTION) ...)
(defmacro def-kind (def) `(svref ,def 7))            ; :STANDARD :BUILT-IN :CONDITION :STRUCTURE
(defmacro def-documentation (def) `(svref ,def 8))
(defmacro def-origin (def) `(svref ,def 9))          ; what a derived class was made from

(defun %make-def (supers direct-slots cpl slots layout subclasses default-initargs kind doc origin)
  (vector supers direct-slots cpl slots layout subclasses default-initargs kind doc origin))

(defun %copy-def (def) (copy-seq def))

(defun %class-def (class) (symbol-value (%instance-ref class 1 nil)))
(defun %class-defined-p (class) (boundp (%instance-ref class 1 nil)))
(defun %set-class-def (class def) (setf (symbol-value (%instance-ref class 1 nil)) def))

(defun class-name (class) (%instance-ref class 0 nil))

;;; Effective slots: (NAME LOCATION INITARGS INITFUNCTION ALLOCATION TYPE DOCUMENTATION).
;;; LOCATION is an index into the instance's slots, or for a class slot the cons whose car
;;; holds its value.

(defun %slot-location (slot) (cadr slot))

;;; The classes the system needs before DEFCLASS works.

(defvar *metaclass-standard-class* nil)
(defvar *metaclass-built-in-class* nil)

(defun %allocate-class (name metaclass)
  (let ((class (%make-instance-object metaclass
                                      (if metaclass (def-layout (%class-def metaclass)) #())
                                      2)))
    (%instance-set class 0 name)
    (%instance-set class 1 (make-symbol (symbol-name name)))
    class))

(defun %define-boot-class (name supers kind metaclass)
  (let* ((class (%allocate-class name metaclass))
         (supers (mapcar #'find-class supers))
         (def (%make-def supers nil nil nil #() nil nil kind nil nil)))
    (%set-class-def class def)
    (setf (def-cpl def) (%compute-cpl class supers))
    (dolist (super supers) (%add-subclass super class))
    (%put name '%class class)
    class))

(defun %add-subclass (super class)
  (let ((def (%copy-def (%class-def super))))
    (unless (member class (def-subclasses def))
      (setf (def-subclasses def) (append (def-subclasses def) (list class))))
    (%set-class-def super def)))

(defun %remove-subclass (super class)
  (let ((def (%copy-def (%class-def super))))
    (setf (def-subclasses def) (remove class (def-subclasses def)))
    (%set-class-def super def)))

;;; The class precedence list (CLHS 4.3.5): a topological sort of the class and its
;;; superclasses under each class's local precedence order, ties broken in favour of the
;;; class with a direct subclass rightmost in the list so far.

(defun %compute-cpl (class supers)
  (let ((all (list class)) (pending (copy-list supers)) (constraints nil))
    (loop while pending
          do (let ((next (pop pending)))
               (unless (member next all)
                 (setq all (append all (list next)))
                 (setq pending (append pending (copy-list (def-supers (%class-def next))))))))
    (dolist (c all)
      (let ((local (cons c (if (eq c class) supers (def-supers (%class-def c))))))
        (loop for tail on local while (cdr tail) do (push (cons (car tail) (cadr tail)) constraints))))
    (let ((result nil))
      (loop while all
            do (let ((candidates
                       (remove-if (lambda (c) (find-if (lambda (pair) (and (eq (cdr pair) c)
                                                                          (member (car pair) all)))
                                                       constraints))
                                  all)))
                 (when (null candidates)
                   (error "Inconsistent superclasses for ~S: no class precedence list exists."
                          (class-name class)))
                 (let ((chosen
                         (if (null (cdr candidates))
                             (car candidates)
                             (or (dolist (c result nil)
                                   (let* ((direct (if (eq c class) supers (def-supers (%class-def c))))
                                          (found (find-if (lambda (k) (member k direct)) candidates)))
                                     (when found (return found))))
                                 (car candidates)))))
                   (setq result (cons chosen result))
                   (setq all (remove chosen all)))))
      (nreverse result))))

;;; Classes by name.

(defvar *built-in-classes* nil
  "The classes of the kinds of objects dispatch.rs tells apart (BuiltInKind), in its order.")

(defun %find-class (name)
  (when (and name (symbolp name))
    (let ((class (get name '%class)))
      (cond ((and class (%class-defined-p class)
                  (member (def-kind (%class-def class)) '(:standard :built-in)))
             class)
            ((%condition-type-p name) (%ensure-derived-class name :condition))
            ((get name 'structure) (%ensure-derived-class name :structure))
            ((and class (%class-defined-p class)) class)
            (t nil)))))

(defun find-class (symbol &optional (errorp t) environment)
  (declare (ignore environment))
  (or (%find-class symbol)
      (when errorp
        (error 'simple-error :format-control "There is no class named ~S."
                             :format-arguments (list symbol)))))

;;; Built-in classes, as SBCL arranges them.

(%define-boot-class 't nil :built-in nil)
(%define-boot-class 'standard-object '(t) :standard nil)
(setq *metaclass-standard-class* (%define-boot-class 'standard-class '(standard-object) :standard nil))
(setq *metaclass-built-in-class* (%define-boot-class 'built-in-class '(standard-object) :standard nil))
(%define-boot-class 'structure-class '(standard-object) :standard nil)
(%define-boot-class 'condition-class '(standard-object) :standard nil)
(%define-boot-class 'standard-method '(standard-object) :standard nil)

(defun %fix-metaclass (name metaclass)
  (let* ((class (find-class name))
         (values (%instance-values class *unbound-slot*))
         (layout (def-layout (%class-def metaclass))))
    (%instance-replace class (%instance-layout class) metaclass layout values *unbound-slot*)))

(dolist (name '(t standard-object standard-class built-in-class structure-class condition-class
                standard-method))
  (%fix-metaclass name (if (eq name t) *metaclass-built-in-class* *metaclass-standard-class*)))

(dolist (spec '((structure-object t) (condition t)
                (number t) (real number) (rational real) (integer rational) (fixnum integer)
                (bignum integer) (ratio rational) (float real) (single-float float)
                (double-float float) (character t) (symbol t) (sequence t) (list sequence)
                (cons list) (null symbol list) (array t) (simple-array array)
                (vector array sequence)
                (string vector) (simple-vector vector) (bit-vector vector) (hash-table t)
                (function t) (package t) (stream t) (random-state t) (pathname t)))
  (%define-boot-class (car spec) (cdr spec) :built-in *metaclass-built-in-class*))

(%define-boot-class 'standard-generic-function '(standard-object function) :standard
                    *metaclass-standard-class*)

(defun %derived-supers (name kind)
  (if (eq kind :condition)
      (or (get name 'condition-parents) '(t))
      (let ((included (cadr (car (get name 'structure)))))
        (list (or (car included) 'structure-object)))))

(defun %ensure-derived-class (name kind)
  "The class of a condition type or a structure type, made (or remade, if the type was
redefined with other parents) on demand."
  (let ((class (get name '%class))
        (origin (%derived-supers name kind)))
    (if (and class (%class-defined-p class) (equal (def-origin (%class-def class)) origin))
        class
        (let* ((class (or class (%allocate-class name (find-class (if (eq kind :condition)
                                                                       'condition-class
                                                                       'structure-class)))))
               (supers (mapcar #'find-class origin))
               (def (%make-def supers nil nil nil #() nil nil kind nil origin)))
          (%set-class-def class def)
          (setf (def-cpl def) (%compute-cpl class supers))
          (%put name '%class class)
          (%class-changed)
          class))))

(defun %built-in-class-name (x)
  (cond ((null x) 'null)
        ((symbolp x) 'symbol)
        ((consp x) 'cons)
        ((integerp x) (if (typep x 'fixnum) 'fixnum 'bignum))
        ((rationalp x) 'ratio)
        ((floatp x) (if (typep x 'double-float) 'double-float 'single-float))
        ((characterp x) 'character)
        ((stringp x) 'string)
        ((simple-vector-p x) 'simple-vector)
        ((vectorp x) 'vector)
        ((arrayp x) 'simple-array)
        ((hash-table-p x) 'hash-table)
        ((functionp x) 'function)
        ((packagep x) 'package)
        ((streamp x) 'stream)
        (t 't)))

(defun class-of (object)
  (cond ((%instancep object) (%instance-class object))
        ((%generic-function-of object)
         (find-class 'standard-generic-function))
        ((%conditionp object) (find-class (%condition-type object)))
        (t (let ((name (%built-in-class-name object)))
             (if (and (eq name t) (symbolp (type-of object)) (get (type-of object) 'structure))
                 (find-class (type-of object))
                 (get name '%class))))))

(defun %class-precedence-list (class) (def-cpl (%class-def class)))

(defun %subclassp (class super)
  (if (member super (def-cpl (%class-def class))) t nil))

(defun %class-typep (object class)
  (%subclassp (class-of object) class))

(defun %class-designator (x)
  (if (%instancep x) x (find-class x)))

(defun subtypep (type-1 type-2 &optional environment)
  (declare (ignore environment))
  (let ((class-1 (if (%instancep type-1) type-1 (%find-class type-1)))
        (class-2 (if (%instancep type-2) type-2 (%find-class type-2))))
    (cond ((eq type-2 t) (values t t))
          ((null type-1) (values t t))
          ((and class-1 class-2) (values (%subclassp class-1 class-2) t))
          (t (error "unsupported in swankd: SUBTYPEP of ~S and ~S (only classes are supported)"
                    type-1 type-2)))))

(setq *built-in-classes*
      (map 'vector #'find-class
           '(fixnum null symbol cons character single-float double-float string)))

;;; Instances: bringing them up to date, and slot access by name.

(defun %instance-definition (object)
  "OBJECT's class definition, after bringing OBJECT up to date with it."
  (let* ((class (%instance-class object))
         (def (symbol-value (%instance-ref class 1 nil))))
    (if (eq (%instance-layout object) (def-layout def))
        def
        (progn (%update-obsolete-instance object class def)
               (%instance-definition object)))))

(defun %update-obsolete-instance (object class def)
  (let* ((old-layout (%instance-layout object))
         (old-names (coerce old-layout 'list))
         (old-values (%instance-values object *unbound-slot*))
         (new-names (coerce (def-layout def) 'list))
         (added (remove-if (lambda (name) (member name old-names)) new-names))
         (discarded (remove-if (lambda (name) (member name new-names)) old-names))
         (plist nil))
    (loop for name in old-names
          for value in old-values
          when (and (member name discarded) (not (eq value *unbound-slot*)))
            do (setq plist (append plist (list name value))))
    (let ((new-values (mapcar (lambda (name)
                                (let ((position (position name old-names)))
                                  (if position (nth position old-values) *unbound-slot*)))
                              new-names)))
      (when (%instance-replace object old-layout class (def-layout def) new-values *unbound-slot*)
        (update-instance-for-redefined-class object added discarded plist)))))

(defun %find-slot (object slot-name)
  "The effective slot SLOT-NAME of OBJECT, or NIL."
  (assoc slot-name (def-slots (%instance-definition object))))

(define-condition unbound-slot (cell-error)
  ((instance :initarg :instance :reader unbound-slot-instance))
  (:report (lambda (condition stream)
             (format stream "The slot ~S is unbound in the object ~S."
                     (cell-error-name condition) (unbound-slot-instance condition)))))

(define-condition slot-missing-error (error)
  ((name :initarg :name) (instance :initarg :instance) (operation :initarg :operation))
  (:report (lambda (condition stream)
             (format stream "When attempting to ~A, the slot ~S is missing from the object ~S."
                     (%condition-slot condition 'operation)
                     (%condition-slot condition 'name)
                     (%condition-slot condition 'instance)))))

(defun slot-missing (class object slot-name operation &optional new-value)
  (declare (ignore class new-value))
  (error 'slot-missing-error :name slot-name :instance object
                             :operation (case operation
                                          (slot-value "read the slot's value (slot-value)")
                                          (setf "set the slot's value to ~S (SETF of SLOT-VALUE)")
                                          (slot-boundp "test to see if slot is bound (SLOT-BOUNDP)")
                                          (t "make the slot unbound (SLOT-MAKUNBOUND)"))))

(defun slot-unbound (class instance slot-name)
  (declare (ignore class))
  (error 'unbound-slot :name slot-name :instance instance))

(defun %slot-value-slow (object slot-name)
  "SLOT-VALUE when the builtin's fast path (dispatch.rs) does not apply."
  (if (%instancep object)
      (let ((slot (%find-slot object slot-name)))
        (if (null slot)
            (slot-missing (class-of object) object slot-name 'slot-value)
            (let* ((location (%slot-location slot))
                   (value (if (consp location)
                              (car location)
                              (%instance-ref object location *unbound-slot*))))
              (if (eq value *unbound-slot*)
                  (slot-unbound (class-of object) object slot-name)
                  value))))
      (%other-slot-value object slot-name)))

(defun %other-slot-value (object slot-name)
  (if (%conditionp object)
      (%condition-slot object slot-name)
      (slot-missing (class-of object) object slot-name 'slot-value)))

(defun %set-slot-value-slow (object slot-name value)
  (if (%instancep object)
      (let ((slot (%find-slot object slot-name)))
        (if (null slot)
            (slot-missing (class-of object) object slot-name 'setf value)
            (let ((location (%slot-location slot)))
              (if (consp location)
                  (setf (car location) value)
                  (%instance-set object location value)))))
      (if (%conditionp object)
          (%set-condition-slot object slot-name value)
          (slot-missing (class-of object) object slot-name 'setf value)))
  value)

(defsetf slot-value %set-slot-value)

(defun slot-boundp (object slot-name)
  (let ((slot (and (%instancep object) (%find-slot object slot-name))))
    (if (null slot)
        (slot-missing (class-of object) object slot-name 'slot-boundp)
        (let ((location (%slot-location slot)))
          (not (eq (if (consp location)
                       (car location)
                       (%instance-ref object location *unbound-slot*))
                   *unbound-slot*))))))

(defun slot-makunbound (object slot-name)
  (let ((slot (and (%instancep object) (%find-slot object slot-name))))
    (if (null slot)
        (slot-missing (class-of object) object slot-name 'slot-makunbound)
        (let ((location (%slot-location slot)))
          (if (consp location)
              (setf (car location) *unbound-slot*)
              (%instance-makunbound object location))))
    object))

(defun slot-exists-p (object slot-name)
  (if (and (%instancep object) (%find-slot object slot-name)) t nil))

(defmacro with-slots (slots instance &body body)
  (let ((object (gensym "INSTANCE")))
    `(let ((,object ,instance))
       (symbol-macrolet ,(mapcar (lambda (slot)
                                   (if (consp slot)
                                       `(,(car slot) (slot-value ,object ',(cadr slot)))
                                       `(,slot (slot-value ,object ',slot))))
                                 slots)
         ,@body))))

(defmacro with-accessors (accessors instance &body body)
  (let ((object (gensym "INSTANCE")))
    `(let ((,object ,instance))
       (symbol-macrolet ,(mapcar (lambda (entry) `(,(car entry) (,(cadr entry) ,object)))
                                 accessors)
         ,@body))))

;;; Generic functions. A method table is a vector: 0 methods, 1 hash cache, 2 the epoch the
;;; caches were filled in, 3 per required argument the values of its EQL specializers (NIL
;;; if there are none), 4 the number of required arguments, 5 the lambda list, 6 the inline
;;; cache ((KEY . EFFECTIVE-METHOD) ...) that dispatch.rs reads.

(defun %gf-cell (gf) (%instance-ref gf 1 nil))
(defun %gf-name (gf) (%instance-ref gf 0 nil))
(defun %gf-function (gf) (%instance-ref gf 2 nil))
(defun %gf-table (gf) (symbol-value (%instance-ref gf 1 nil)))
(defun %gf-methods (gf) (svref (%gf-table gf) 0))

;;; Methods: instances with raw slots 0 generic function, 1 qualifiers, 2 specializers
;;; (classes or (EQL value)), 3 function of (ARGS NEXT-METHODS), 4 lambda list.
(defun method-qualifiers (method) (%instance-ref method 1 nil))
(defun %method-specializers (method) (%instance-ref method 2 nil))
(defun %method-function (method) (%instance-ref method 3 nil))
(defun %method-lambda-list (method) (%instance-ref method 4 nil))
(defun %method-source (method) (%instance-ref method 6 nil))
(defun %method-fast-function (method)
  "The method's body as a plain function of the arguments, when it needs no next methods."
  (%instance-ref method 5 nil))
(defun %method-generic-function (method) (%instance-ref method 0 nil))

(defun %required-count (lambda-list)
  (or (position-if (lambda (x) (member x '(&optional &rest &key &aux &body &allow-other-keys)))
                   lambda-list)
      (length lambda-list)))

(defun %make-table (methods lambda-list)
  (let* ((required (%required-count lambda-list))
         (eqls (loop for i below required
                     collect (loop for method in methods
                                   for specializer = (nth i (%method-specializers method))
                                   when (consp specializer) collect (cadr specializer)))))
    (vector methods (make-hash-table :test 'equal) *class-epoch*
            (if (some #'identity eqls) eqls nil)
            required lambda-list nil)))

(defun %setf-function-name-p (name)
  (and (consp name) (eq (car name) 'setf) (consp (cdr name)) (symbolp (cadr name)) (null (cddr name))))

(defun %function-name-symbol (name)
  "The symbol whose function cell holds the function NAME: NAME itself, or for (SETF X)
the symbol Image::setf_function_symbol makes, which DEFUN and #' use too."
  (if (%setf-function-name-p name) (%setf-function-symbol (cadr name)) name))

(defun %block-name (name)
  (if (%setf-function-name-p name) (cadr name) name))

(defun %find-generic-function (name)
  (let* ((symbol (%function-name-symbol name))
         (gf (get symbol 'generic-function)))
    (when (and gf
               ;; Not one a failed unit of change made (its table was undone).
               (boundp (%gf-cell gf))
               (let ((function (and (fboundp symbol) (symbol-function symbol))))
                 (or (eq (%gf-function gf) function)
                     ;; TRACE (swank/trace.lisp) keeps the function it wrapped.
                     (and (boundp 'swank::*traced*)
                          (eq (%gf-function gf) (cdr (assoc name swank::*traced*)))))))
      gf)))

(defun %ensure-generic-function (name lambda-list &optional methods)
  "The generic function NAME, made if there is none (or if its name now holds another
function: after FMAKUNBOUND or DEFUN, methods start afresh). A new one starts with
METHODS, a function of the generic function that makes them, so that callers on other
threads never see it without them."
  (or (%find-generic-function name)
      (let* ((gf (%make-instance-object (find-class 'standard-generic-function)
                                        (def-layout (%class-def (find-class 'standard-generic-function)))
                                        3))
             (function (named-lambda %generic-function (&rest args) (%gf-call gf args)))
             (symbol (%function-name-symbol name)))
        (%instance-set gf 0 name)
        (%instance-set gf 1 (make-symbol (prin1-to-string name)))
        (%instance-set gf 2 function)
        (setf (symbol-value (%gf-cell gf))
              (%make-table (and methods (funcall methods gf)) lambda-list))
        (%put symbol 'generic-function gf)
        (%defun symbol function nil lambda-list)
        gf)))

(defun %define-generic-function (name lambda-list)
  "DEFGENERIC: makes the generic function, or gives an existing one LAMBDA-LIST (and, for
M-. and autodoc, records the DEFGENERIC again)."
  (let ((existing (%find-generic-function name)))
    (if existing
        (let ((table (%gf-table existing)))
          (setf (symbol-value (%gf-cell existing)) (%make-table (svref table 0) lambda-list))
          (%defun (%function-name-symbol name) (%gf-function existing) nil lambda-list)
          existing)
        (%ensure-generic-function name lambda-list))))

(defun %generic-function-designator (x)
  (cond ((%instancep x) x)
        ((functionp x) (or (%generic-function-of x)
                           (error "~S is not a generic function." x)))
        (t (or (%find-generic-function x) (error "~S is not a generic function." x)))))

(defconstant +inline-cache-size+ 8)

(defun %gf-call-slow (gf args)
  "A call of GF that %GF-CALL (dispatch.rs) did not find in the inline cache."
  (let* ((table (symbol-value (%instance-ref gf 1 nil)))
         (cache (svref table 1))
         (epoch *class-epoch*))
    (unless (eq (svref table 2) epoch)
      (clrhash cache)
      (setf (svref table 6) nil)
      (setf (svref table 2) epoch))
    (let* ((key (%dispatch-key table args))
           (emf (gethash key cache)))
      (unless emf
        (setq emf (%compute-effective-method gf table args))
        (when (eq epoch *class-epoch*)
          (setf (gethash key cache) emf)))
      (when (and (eq epoch *class-epoch*)
                 (null (svref table 3))
                 (< (length (svref table 6)) +inline-cache-size+)
                 (loop for arg in args repeat (svref table 4) always (%fast-class-of arg)))
        (setf (svref table 6) (cons (cons key emf) (svref table 6))))
      (apply emf args))))

(defun %class-changed ()
  "Makes every generic function's caches stale (dispatch.rs compares the epoch too)."
  (setq *class-epoch* (1+ *class-epoch*)))

(defun %dispatch-key (table args)
  (let ((eqls (svref table 3)) (required (svref table 4)))
    (cond ((and (eql required 1) (null eqls) args) (class-of (car args)))
          (t (let ((key nil) (rest args))
               (dotimes (i required)
                 (when (null rest)
                   (error "invalid number of arguments: ~S" (length args)))
                 (let ((arg (car rest)) (values (nth i eqls)))
                   (push (if (and values (member arg values)) (list 'eql arg) (class-of arg)) key))
                 (setq rest (cdr rest)))
               (nreverse key))))))

(defun %specializer-applicable-p (specializer arg)
  (if (consp specializer)
      (eql arg (cadr specializer))
      (or (eq (class-name specializer) t) (%class-typep arg specializer))))

(defun %more-specific-p (m1 m2 args)
  "Whether method M1 is more specific than M2 for ARGS (left to right)."
  (loop for s1 in (%method-specializers m1)
        for s2 in (%method-specializers m2)
        for arg in args
        do (cond ((equal s1 s2))
                 ((consp s1) (return t))
                 ((consp s2) (return nil))
                 (t (let ((cpl (%class-precedence-list (class-of arg))))
                      (return (< (or (position s1 cpl) 1000) (or (position s2 cpl) 1000))))))
        finally (return nil)))

(defun %applicable-methods (methods args)
  (let ((applicable
          (remove-if-not (lambda (method)
                           (loop for specializer in (%method-specializers method)
                                 for arg in args
                                 always (%specializer-applicable-p specializer arg)))
                         methods)))
    (stable-sort (copy-list applicable) (lambda (a b) (%more-specific-p a b args)))))

(defun %compute-effective-method (gf table args)
  (let* ((methods (%applicable-methods (svref table 0) args))
         (primaries (mapcar #'%method-function
                            (remove-if-not (lambda (m) (null (method-qualifiers m))) methods)))
         (befores (mapcar #'%method-function
                          (remove-if-not (lambda (m) (equal (method-qualifiers m) '(:before))) methods)))
         (afters (reverse (mapcar #'%method-function
                                  (remove-if-not (lambda (m) (equal (method-qualifiers m) '(:after)))
                                                 methods))))
         (arounds (mapcar #'%method-function
                          (remove-if-not (lambda (m) (equal (method-qualifiers m) '(:around))) methods))))
    (cond ((null primaries)
           (lambda (&rest args) (apply #'no-applicable-method (%gf-function gf) args)))
          ((and (null befores) (null afters) (null arounds) (null (cdr primaries))
                (%method-fast-function (car methods)))
           (%method-fast-function (car methods)))
          (t (%chained-effective-method primaries befores afters arounds)))))

(defun %chained-effective-method (primaries befores afters arounds)
  "The standard method combination of method functions (of ARGS and NEXT-METHODS)."
  (let ((main (if (or befores afters)
                  (lambda (args next)
                    (declare (ignore next))
                    (dolist (before befores) (funcall before args nil))
                    (multiple-value-prog1 (funcall (car primaries) args (cdr primaries))
                      (dolist (after afters) (funcall after args nil))))
                  nil)))
    (cond (arounds
           (let ((chain (append (cdr arounds) (if main (list main) primaries))))
             (lambda (&rest args) (funcall (car arounds) args chain))))
          (main (lambda (&rest args) (funcall main args nil)))
          (t (let ((first (car primaries)) (next (cdr primaries)))
               (lambda (&rest args) (funcall first args next)))))))

(define-condition no-applicable-method-error (error)
  ((generic-function :initarg :generic-function) (arguments :initarg :arguments))
  (:report (lambda (condition stream)
             (format stream "There is no applicable method for the generic function~%  ~S~%when called with arguments~%  ~S."
                     (%condition-slot condition 'generic-function)
                     (%condition-slot condition 'arguments)))))

(define-condition no-next-method-error (error)
  ((method :initarg :method) (arguments :initarg :arguments))
  (:report (lambda (condition stream)
             (format stream "There is no next method for the generic function ~S when called with arguments ~S."
                     (%gf-name (%method-generic-function (%condition-slot condition 'method)))
                     (%condition-slot condition 'arguments)))))

(defun %call-next-method (next args method)
  (if next
      (funcall (car next) args (cdr next))
      (error 'no-next-method-error :method method :arguments args)))

;;; Adding, finding and removing methods. Each change installs a new method table.

(defun %same-method-p (a qualifiers specializers)
  (and (equal (method-qualifiers a) qualifiers)
       (equal (%method-specializers a) specializers)))

(defun %current-source-location ()
  "Swank's location of the top-level form being evaluated from a file or an Emacs buffer
(as definitions.rs records for DEFUN), or NIL."
  (let ((origin (and (boundp '*source-origin*) *source-origin*))
        (start (and (boundp '*form-start*) *form-start*)))
    (when (and (consp origin) (integerp start) (symbolp (car origin)))
      (cond ((string= (symbol-name (car origin)) "FILE")
             (list :location (list :file (second origin)) (list :position (1+ start)) nil))
            ((string= (symbol-name (car origin)) "BUFFER")
             (list :location (list :buffer (second origin))
                   (list :offset (+ (if (integerp (third origin)) (third origin) 1) start) 0)
                   nil))))))

(defvar *print-object-for-structures* nil
  "True once a PRINT-OBJECT method is specialised on a structure or condition class: from
then on the printer asks about those objects too (print_object.rs).")

(defun %note-print-object-method (specializers)
  (let ((class (car specializers)))
    (when (and (%instancep class) (member (def-kind (%class-def class)) '(:structure :condition)))
      (setq *print-object-for-structures* t))))

(defun %add-method (name qualifiers specializers lambda-list function fast-function)
  (unless (member qualifiers '(() (:before) (:after) (:around)) :test #'equal)
    (error "unsupported in swankd: method qualifiers ~S (only :BEFORE, :AFTER and :AROUND)" qualifiers))
  (let* ((method nil)
         (make-method
           (lambda (gf)
             (setq method (%make-instance-object (find-class 'standard-method)
                                                 (def-layout (%class-def (find-class 'standard-method)))
                                                 7))
             (%instance-set method 0 gf)
             (%instance-set method 1 qualifiers)
             (%instance-set method 2 specializers)
             (%instance-set method 3 function)
             (%instance-set method 4 lambda-list)
             (%instance-set method 5 fast-function)
             (%instance-set method 6 (%current-source-location))
             (list method)))
         (existing (%find-generic-function name)))
    (if existing
        (let* ((table (%gf-table existing))
               (others (remove-if (lambda (m) (%same-method-p m qualifiers specializers))
                                  (svref table 0))))
          (setf (symbol-value (%gf-cell existing))
                (%make-table (append others (funcall make-method existing)) (svref table 5))))
        (%ensure-generic-function name lambda-list make-method))
    (when (eq name 'print-object) (%note-print-object-method specializers))
    method))

(defun remove-method (generic-function method)
  (let* ((gf (%generic-function-designator generic-function))
         (table (%gf-table gf)))
    (setf (symbol-value (%gf-cell gf))
          (%make-table (remove method (svref table 0)) (svref table 5)))
    generic-function))

(defun %parse-specializer (specializer)
  (cond ((and (consp specializer) (eq (car specializer) 'eql)) specializer)
        (t (%class-designator specializer))))

(defun find-method (generic-function qualifiers specializers &optional (errorp t))
  (let* ((gf (%generic-function-designator generic-function))
         (table (%gf-table gf))
         (specializers (mapcar #'%parse-specializer specializers))
         (padded (append specializers
                         (make-list (max 0 (- (svref table 4) (length specializers)))
                                    :initial-element (find-class t)))))
    (or (find-if (lambda (m) (%same-method-p m qualifiers padded)) (svref table 0))
        (when errorp
          (error "There is no method on ~S with qualifiers ~S and specializers ~S."
                 gf qualifiers specializers)))))

(defun generic-function-name (gf) (%gf-name (%generic-function-designator gf)))

(defun %lambda-list-keyword-p (x) (member x '(&optional &rest &key &aux &body &allow-other-keys)))

(defun %method-lambda (name lambda-list body)
  "A method's function of (ARGS NEXT-METHODS). With &KEY, other keys are allowed, as the
generic function's other methods may accept them."
  (let* ((lambda-list (if (and (member '&key lambda-list) (not (member '&allow-other-keys lambda-list)))
                          (let ((aux (member '&aux lambda-list)))
                            (append (ldiff lambda-list aux) '(&allow-other-keys) aux))
                          lambda-list))
         (body (if (and (stringp (car body)) (cdr body)) (cdr body) body))
         (declarations (loop while (and (consp (car body)) (eq (caar body) 'declare))
                             collect (pop body)))
         (inner `(lambda ,lambda-list ,@declarations
                   (block ,(%block-name name) ,@body))))
    (if (%tree-mentions-p body '(call-next-method next-method-p))
        (let ((args (gensym "ARGS")) (next (gensym "NEXT")) (method (gensym "METHOD")))
          `(let ((,method nil))
             (values (lambda (,args ,next)
                       (flet ((call-next-method (&rest arguments)
                                (%call-next-method ,next (or arguments ,args) ,method))
                              (next-method-p () (if ,next t nil)))
                         (apply ,inner ,args)))
                     (lambda (m) (setq ,method m))
                     nil)))
        (let ((function (gensym "FUNCTION")) (args (gensym "ARGS")) (next (gensym "NEXT")))
          `(let ((,function ,inner))
             (values (lambda (,args ,next)
                       (declare (ignore ,next))
                       (apply ,function ,args))
                     nil
                     ,function))))))

(defun %tree-mentions-p (tree symbols)
  (let ((pending (list tree)) (seen 0))
    (loop while pending
          do (let ((x (pop pending)))
               (setq seen (1+ seen))
               (cond ((> seen 100000) (return t))
                     ((consp x) (push (car x) pending) (push (cdr x) pending))
                     ((member x symbols) (return t))))
          finally (return nil))))

(defmacro defmethod (name &rest rest)
  (let ((qualifiers nil))
    (loop while (and rest (car rest) (atom (car rest))) do (push (pop rest) qualifiers))
    (let* ((specialized (car rest))
           (required (%required-count specialized))
           ;; Required parameters take part in dispatch: no unused-variable notes, as in SBCL.
           (dispatched (loop for p in (subseq specialized 0 required)
                             collect (if (consp p) (car p) p)))
           (body (let ((body (cdr rest))
                       (declaration `(declare (ignorable ,@dispatched))))
                   (if (and (stringp (car body)) (cdr body))
                       (list* (car body) declaration (cdr body))
                       (cons declaration body))))
           (plain (append (mapcar (lambda (p) (if (consp p) (car p) p))
                                  (subseq specialized 0 required))
                          (nthcdr required specialized)))
           (specializers (mapcar (lambda (p)
                                   (let ((s (if (consp p) (cadr p) t)))
                                     (if (and (consp s) (eq (car s) 'eql))
                                         `(list 'eql ,(cadr s))
                                         `(find-class ',s))))
                                 (subseq specialized 0 required)))
           (function (gensym "FUNCTION")) (setter (gensym "SETTER")) (method (gensym "METHOD"))
           (fast (gensym "FAST")))
      `(multiple-value-bind (,function ,setter ,fast) ,(%method-lambda name plain body)
         (let ((,method (%add-method ',name ',(reverse qualifiers) (list ,@specializers)
                                     ',plain ,function ,fast)))
           (when ,setter (funcall ,setter ,method))
           ,method)))))

(defmacro defgeneric (name lambda-list &rest options)
  (dolist (option options)
    (when (and (consp option) (eq (car option) :method-combination)
               (not (eq (cadr option) 'standard)))
      (error "unsupported in swankd: method combination ~S" (cadr option))))
  `(progn
     (%define-generic-function ',name ',lambda-list)
     ,@(loop for option in options
             when (and (consp option) (eq (car option) :method))
               collect `(defmethod ,name ,@(cdr option)))
     (%gf-function (%find-generic-function ',name))))

;;; DEFCLASS.

(defun %plist-map (function plist)
  (let ((result nil))
    (do ((tail plist (cddr tail))) ((null tail) (nreverse result))
      (push (funcall function (car tail) (cadr tail)) result))))

(defun %slot-spec-form (spec)
  (let* ((spec (if (consp spec) spec (list spec)))
         (name (car spec)) (options (cdr spec))
         (initargs nil) (readers nil) (writers nil))
    (do ((tail options (cddr tail))) ((null tail))
      (let ((key (car tail)) (value (cadr tail)))
          (case key
               (:initarg (push value initargs))
               (:reader (push value readers))
               (:writer (push value writers))
               (:accessor (push value readers) (push `(setf ,value) writers))
               ((:initform :allocation :type :documentation))
               (t (error "unsupported in swankd: slot option ~S in DEFCLASS" key)))))
    `(list ',name
           :initargs ',(reverse initargs)
           :initfunction ,(if (%plist-find options :initform) `(lambda () ,(getf options :initform)) nil)
           :initform ',(getf options :initform)
           :readers ',(reverse readers)
           :writers ',(reverse writers)
           :allocation ',(getf options :allocation :instance)
           :type ',(getf options :type t)
           :documentation ',(getf options :documentation))))

(defun %accessor-methods (class-name spec)
  (let* ((spec (if (consp spec) spec (list spec)))
         (name (car spec)) (forms nil))
    (do ((tail (cdr spec) (cddr tail))) ((null tail))
      (let ((key (car tail)) (value (cadr tail)))
             (when (member key '(:reader :accessor))
               (push `(defmethod ,value ((object ,class-name)) (slot-value object ',name)) forms))
             (when (eq key :accessor)
               (push `(defmethod (setf ,value) (new-value (object ,class-name))
                        (setf (slot-value object ',name) new-value))
                     forms))
             (when (eq key :writer)
               (push `(defmethod ,value (new-value (object ,class-name))
                        (setf (slot-value object ',name) new-value))
                     forms))))
    (reverse forms)))

(defmacro defclass (name superclasses slots &rest options)
  (dolist (option options)
    (unless (member (car option) '(:documentation :default-initargs :metaclass))
      (error "unsupported in swankd: DEFCLASS option ~S" (car option)))
    (when (and (eq (car option) :metaclass) (not (eq (cadr option) 'standard-class)))
      (error "unsupported in swankd: metaclass ~S" (cadr option))))
  `(progn
     (%ensure-class ',name ',superclasses
                    (list ,@(mapcar #'%slot-spec-form slots))
                    (list ,@(%plist-map (lambda (key form) `(list ',key (lambda () ,form)))
                                              (cdr (assoc :default-initargs options))))
                    ',(cadr (assoc :documentation options)))
     ,@(mapcan (lambda (spec) (%accessor-methods name spec)) slots)
     (find-class ',name)))

(defun %effective-slots (class cpl direct-slots old-def)
  "The effective slots for CPL (most specific first); DIRECT-SLOTS are CLASS's own."
  (let ((names nil) (slots nil) (index 0))
    (dolist (c (reverse cpl))
      (dolist (slot (if (eq c class) direct-slots (def-direct-slots (%class-def c))))
        (unless (member (car slot) names) (setq names (append names (list (car slot)))))))
    (dolist (name names)
      (let* ((specs (loop for c in cpl
                          for slot = (assoc name (if (eq c class) direct-slots (def-direct-slots (%class-def c))))
                          when slot collect (cons c slot)))
             (defining (car specs))
             (options (cddr defining))
             (with-initform (find-if (lambda (s) (getf (cddr s) :initfunction)) specs))
             (allocation (getf options :allocation))
             (initargs (remove-duplicates (loop for s in specs append (getf (cddr s) :initargs))
                                          :from-end t))
             (initfunction (and with-initform (getf (cddr with-initform) :initfunction)))
             (location (if (eq allocation :class)
                           (%class-slot-cell (car defining) name (eq (car defining) class)
                                             initfunction old-def)
                           (prog1 index (setq index (1+ index))))))
        (push (list name location initargs initfunction allocation (getf options :type)
                    (getf options :documentation))
              slots)))
    (nreverse slots)))

(defun %class-slot-cell (owner name ownp initfunction old-def)
  "The cons holding the value of OWNER's class slot NAME: the one it had before if any."
  (let ((old (if ownp
                 (and old-def (assoc name (def-slots old-def)))
                 (assoc name (def-slots (%class-def owner))))))
    (if (and old (consp (%slot-location old)))
        (%slot-location old)
        (list (if initfunction (funcall initfunction) *unbound-slot*)))))

(defun %compute-def (class supers direct-slots default-initargs doc old-def)
  (let* ((cpl (%compute-cpl class supers))
         (slots (%effective-slots class cpl direct-slots old-def))
         (names (loop for slot in slots
                      unless (consp (%slot-location slot)) collect (car slot)))
         (layout (if (and old-def (equal names (coerce (def-layout old-def) 'list)))
                     (def-layout old-def)
                     (coerce names 'simple-vector)))
         (inherited (loop for c in (cdr cpl)
                          append (def-default-initargs (%class-def c)))))
    (%make-def supers direct-slots cpl slots layout
               (if old-def (def-subclasses old-def) nil)
               (remove-duplicates (append default-initargs inherited) :key #'car :from-end t)
               :standard doc nil)))

(defun %ensure-class (name superclass-names direct-slots default-initargs doc)
  (let* ((existing (%find-class name))
         (class (or existing (%allocate-class name *metaclass-standard-class*)))
         (old-def (and existing (%class-def existing)))
         (supers (mapcar (lambda (super)
                           (or (%find-class super)
                               (error "unsupported in swankd: the superclass ~S of ~S is not defined yet"
                                      super name)))
                         (or superclass-names '(standard-object)))))
    (when (and existing (not (eq (def-kind old-def) :standard)))
      (error "Cannot redefine the class ~S with DEFCLASS." name))
    (when (member class supers)
      (error "The class ~S cannot be its own superclass." name))
    (%set-class-def class (%compute-def class supers direct-slots default-initargs doc old-def))
    (%put name '%class class)
    (%put name 'class-source (%current-source-location))
    (when old-def
      (dolist (super (def-supers old-def))
        (unless (member super supers) (%remove-subclass super class))))
    (dolist (super supers) (%add-subclass super class))
    (%update-subclasses class)
    (%class-changed)
    class))

(defun %update-subclasses (class)
  (dolist (sub (def-subclasses (%class-def class)))
    (let ((old (%class-def sub)))
      (%set-class-def sub (%compute-def sub (def-supers old) (def-direct-slots old)
                                        (%own-default-initargs old) (def-documentation old) old))
      (%update-subclasses sub))))

(defun %own-default-initargs (def)
  (let ((inherited (loop for c in (cdr (def-cpl def)) append (def-default-initargs (%class-def c)))))
    (remove-if (lambda (entry) (member entry inherited)) (def-default-initargs def))))

;;; The standard generic functions and their default methods.

(defgeneric print-object (object stream))
(defgeneric initialize-instance (instance &rest initargs &key &allow-other-keys))
(defgeneric reinitialize-instance (instance &rest initargs &key &allow-other-keys))
(defgeneric shared-initialize (instance slot-names &rest initargs &key &allow-other-keys))
(defgeneric update-instance-for-redefined-class
    (instance added-slots discarded-slots property-list &rest initargs &key &allow-other-keys))
(defgeneric update-instance-for-different-class (previous current &rest initargs &key &allow-other-keys))
(defgeneric no-applicable-method (generic-function &rest arguments))
(defgeneric describe-object (object stream))

(defmethod no-applicable-method (generic-function &rest arguments)
  (error 'no-applicable-method-error :generic-function generic-function :arguments arguments))

(defmethod shared-initialize ((instance standard-object) slot-names &rest initargs)
  (dolist (slot (def-slots (%instance-definition instance)))
    (let* ((location (%slot-location slot))
           (found (and initargs
                       (loop for key in (nth 2 slot)
                             for tail = (%plist-find initargs key)
                             when tail return tail))))
      (cond (found (%store-slot instance location (cadr found)))
            ((and (nth 3 slot)
                  (or (eq slot-names t) (member (car slot) slot-names))
                  (eq (%load-slot instance location) *unbound-slot*))
             (%store-slot instance location (funcall (nth 3 slot)))))))
  instance)

(defun %load-slot (instance location)
  (if (consp location) (car location) (%instance-ref instance location *unbound-slot*)))

(defun %store-slot (instance location value)
  (if (consp location) (setf (car location) value) (%instance-set instance location value)))

(defmethod initialize-instance ((instance standard-object) &rest initargs)
  (apply #'shared-initialize instance t initargs))

(defmethod reinitialize-instance ((instance standard-object) &rest initargs)
  (%check-initargs (class-of instance) initargs
                   (%valid-initargs (class-of instance) (list 'reinitialize-instance 'shared-initialize)
                                    (list instance)))
  (apply #'shared-initialize instance nil initargs))

(defmethod update-instance-for-redefined-class ((instance standard-object) added-slots discarded-slots
                                                property-list &rest initargs)
  (declare (ignore discarded-slots property-list))
  (apply #'shared-initialize instance added-slots initargs))

(defmethod update-instance-for-different-class ((previous standard-object) (current standard-object)
                                                &rest initargs)
  (let ((old-names (mapcar #'car (def-slots (%instance-definition previous)))))
    (apply #'shared-initialize current
           (loop for slot in (def-slots (%instance-definition current))
                 unless (or (consp (%slot-location slot)) (member (car slot) old-names))
                   collect (car slot))
           initargs)))

(defun %valid-initargs (class generic-functions args)
  "The initargs CLASS's slots and the applicable methods of GENERIC-FUNCTIONS accept, or
:ANY if one of those methods takes &ALLOW-OTHER-KEYS."
  (let ((valid (loop for slot in (def-slots (%class-def class)) append (nth 2 slot))))
    (dolist (gf generic-functions valid)
      (let ((gf (%generic-function-designator gf)))
        (dolist (method (%applicable-methods (%gf-methods gf) args))
          (let ((lambda-list (%method-lambda-list method)))
            (when (member '&allow-other-keys lambda-list)
              (return-from %valid-initargs :any))
            (loop for parameter in (cdr (member '&key lambda-list))
                  until (%lambda-list-keyword-p parameter)
                  do (push (%keyword-of-parameter parameter) valid))))))))

(defun %check-initargs (class initargs valid)
  "Signals an error for an initarg not in VALID (see %VALID-INITARGS)."
  (unless (or (eq valid :any) (getf initargs :allow-other-keys))
    (do ((tail initargs (cddr tail))) ((null tail))
      (unless (or (member (car tail) valid) (eq (car tail) :allow-other-keys))
        (error "Invalid initialization argument:~%  ~S~%in call for class ~S."
               (car tail) class)))))

(defvar *make-instance-initargs* (make-hash-table :test 'eq)
  "Per class: the valid initargs of MAKE-INSTANCE, with the class epoch and the method
tables of INITIALIZE-INSTANCE and SHARED-INITIALIZE they were computed from.")

(defun %make-instance-initargs (class instance)
  (let ((ii (%gf-table (%generic-function-designator #'initialize-instance)))
        (si (%gf-table (%generic-function-designator #'shared-initialize)))
        (entry (gethash class *make-instance-initargs*)))
    (if (and entry (eq (svref entry 0) *class-epoch*) (eq (svref entry 1) ii) (eq (svref entry 2) si))
        (svref entry 3)
        (let ((valid (%valid-initargs class (list 'initialize-instance 'shared-initialize)
                                      (list instance))))
          (setf (gethash class *make-instance-initargs*) (vector *class-epoch* ii si valid))
          valid))))

(defun %keyword-of-parameter (parameter)
  (cond ((symbolp parameter) (intern (symbol-name parameter) :keyword))
        ((consp (car parameter)) (caar parameter))
        (t (intern (symbol-name (car parameter)) :keyword))))

(defun make-instance (class &rest initargs)
  (let* ((class (%class-designator class))
         (def (%class-def class)))
    (unless (eq (def-kind def) :standard)
      (error "Cannot allocate an instance of ~S." class))
    (let ((initargs (append initargs
                            (loop for entry in (def-default-initargs def)
                                  unless (%plist-find initargs (car entry))
                                    append (list (car entry) (funcall (cadr entry))))))
          (instance (%make-instance-object class (def-layout def) (length (def-layout def)))))
      (%check-initargs class initargs (%make-instance-initargs class instance))
      (apply #'initialize-instance instance initargs)
      instance)))

(defun change-class (instance new-class &rest initargs)
  (let* ((new-class (%class-designator new-class))
         (old-def (%instance-definition instance))
         (old-layout (%instance-layout instance))
         (old-class (%instance-class instance))
         (old-names (coerce old-layout 'list))
         (old-values (%instance-values instance *unbound-slot*))
         (previous (%make-instance-object old-class old-layout (length old-names)))
         (new-def (%class-def new-class))
         (new-values (mapcar (lambda (name)
                               (let ((position (position name old-names)))
                                 (if position (nth position old-values) *unbound-slot*)))
                             (coerce (def-layout new-def) 'list))))
    (declare (ignore old-def))
    (%instance-replace previous old-layout old-class old-layout old-values *unbound-slot*)
    (unless (%instance-replace instance old-layout new-class (def-layout new-def) new-values
                               *unbound-slot*)
      (return-from change-class (apply #'change-class instance new-class initargs)))
    (apply #'update-instance-for-different-class previous instance initargs)
    instance))

;;; Printing.

(defun %print-unreadable-object (object stream type identity body)
  (let ((stream (cond ((null stream) *standard-output*) ((eq stream t) *standard-output*) (t stream))))
    (write-string "#<" stream)
    (when type
      (let ((*print-escape* t)) (prin1 (type-of object) stream))
      (write-string " " stream))
    (when body (funcall body))
    (when identity
      (when body (write-string " " stream))
      (format stream "{~X}" (%object-id object)))
    (write-string ">" stream)
    nil))

(defmacro print-unreadable-object ((object stream &key type identity) &body body)
  `(%print-unreadable-object ,object ,stream ,type ,identity
                             ,(if body `(lambda () ,@body) nil)))

(defmethod print-object ((object t) stream)
  (if *print-escape* (prin1 object stream) (princ object stream)))

(defmethod print-object ((object standard-object) stream)
  (print-unreadable-object (object stream :type t :identity t)))

(defun %print-class (class stream)
  (print-unreadable-object (class stream :type t)
    (let ((*package* (find-package :keyword))) (prin1 (class-name class) stream))))

(defmethod print-object ((object standard-class) stream) (%print-class object stream))
(defmethod print-object ((object built-in-class) stream) (%print-class object stream))
(defmethod print-object ((object structure-class) stream) (%print-class object stream))
(defmethod print-object ((object condition-class) stream) (%print-class object stream))

(defmethod print-object ((object standard-generic-function) stream)
  (let ((gf (%generic-function-designator object)))
    (write-string "#<STANDARD-GENERIC-FUNCTION " stream)
    (let ((*package* (find-package :keyword))) (prin1 (%gf-name gf) stream))
    (format stream " (~D)>" (length (%gf-methods gf)))))

(defmethod print-object ((object standard-method) stream)
  (print-unreadable-object (object stream :type t :identity t)
    (let ((*package* (find-package :keyword)))
      (prin1 (%gf-name (%method-generic-function object)) stream))
    (dolist (q (method-qualifiers object)) (format stream " ~S" q))
    (format stream " ~S" (mapcar (lambda (s) (if (consp s) s (class-name s)))
                                (%method-specializers object)))))

(defun %print-object-to-string (object escape)
  "What PRINT-OBJECT writes for OBJECT (the printer's hook, see print_object.rs), or NIL
for a structure or condition whose only applicable method is the default one (the
printer then prints it itself). Without escapes, a condition MAKE-CONDITION made has its
report computed first."
  (when (and (not escape) (swankd::%lazy-report-p object))
    (swankd::%report-now object))
  (unless (and (not (%instancep object))
               (let ((method (car (%applicable-methods (%gf-methods (%generic-function-designator 'print-object))
                                                       (list object nil)))))
                 (or (null method) (eq (class-name (car (%method-specializers method))) t))))
    (let ((*print-escape* escape) (stream (make-string-output-stream)))
      (if *print-pretty*
          ;; Pretty output is kept as the printer's document (its blocks and newlines join
          ;; the layout of what is being printed); T says it was.
          (let ((done nil))
            (swankd::%hold-pretty-output stream)
            (unwind-protect (progn (print-object object stream) (setq done t))
              (swankd::%release-pretty-output stream (and done object) escape))
            done)
          (progn
            (print-object object stream)
            (get-output-stream-string stream))))))

;;; For the inspector.

(defun %slots-by-class (object)
  "OBJECT's slots grouped by the class that defines them, most specific first:
((CLASS (NAME . VALUE-OR-*UNBOUND-SLOT*) ...) ...)."
  (let ((def (%instance-definition object)) (groups nil))
    (dolist (class (def-cpl def))
      (let ((own (loop for slot in (def-slots def)
                       when (and (assoc (car slot) (if (eq class (%instance-class object))
                                                       (def-direct-slots def)
                                                       (def-direct-slots (%class-def class))))
                                 (not (some (lambda (group)
                                              (assoc (car slot) (cdr group)))
                                            groups)))
                         collect (cons (car slot)
                                       (if (slot-boundp object (car slot))
                                           (slot-value object (car slot))
                                           *unbound-slot*)))))
        (when own (push (cons class own) groups))))
    (nreverse groups)))

(defun %unbound-slot-marker-p (x) (eq x *unbound-slot*))

;;; For M-.

(defun %clos-definitions (symbol)
  "((LABEL LOCATION-OR-NIL) ...) for the class SYMBOL names and the methods of the generic
functions SYMBOL and (SETF SYMBOL), labelled as SBCL labels them: (DEFCLASS NAME) and
(DEFMETHOD NAME QUALIFIER... SPECIALIZER...)."
  (append
   (let ((class (%find-class symbol)))
     (when (and class (eq (def-kind (%class-def class)) :standard))
       (list (list (format nil "(DEFCLASS ~S)" symbol) (get symbol 'class-source)))))
   (loop for name in (list symbol (list 'setf symbol))
        for gf = (%find-generic-function name)
        when gf
          append (mapcar (lambda (method)
                           (list (format nil "(DEFMETHOD ~S~{ ~S~}~{ ~S~})" name
                                         (method-qualifiers method)
                                         (mapcar (lambda (s) (if (consp s) s (class-name s)))
                                                 (%method-specializers method)))
                                 (%method-source method)))
                         (%gf-methods gf)))))

(defun %specializing-methods (class-name)
  "((LABEL LOCATION-OR-NIL) ...) for the methods, of every generic function, that have the
class CLASS-NAME among their specializers (xref :specializes)."
  (let ((class (%find-class class-name)) (found '()) (seen (make-hash-table)))
    (when class
      (do-all-symbols (symbol)
        (unless (gethash symbol seen)
          (setf (gethash symbol seen) t)
          (let ((gf (and (fboundp symbol) (%find-generic-function symbol))))
            (when gf
              (dolist (method (%gf-methods gf))
                (when (member class (%method-specializers method))
                  (push (list (format nil "(DEFMETHOD ~S~{ ~S~}~{ ~S~})" symbol
                                      (method-qualifiers method)
                                      (mapcar (lambda (s) (if (consp s) s (class-name s)))
                                              (%method-specializers method)))
                              (%method-source method))
                        found))))))))
    (sort found #'string< :key #'car)))

(defun %generic-function-label (symbol)
  "M-.'s label for the DEFGENERIC of SYMBOL, as SBCL's: (DEFGENERIC NAME LAMBDA-LIST); NIL
if SYMBOL names no generic function."
  (let ((gf (%find-generic-function symbol)))
    (when gf
      (format nil "(DEFGENERIC ~S ~S)" symbol (svref (%gf-table gf) 5)))))

;;; For C-c C-d d (SWANK:DESCRIBE-SYMBOL).

(defun %clos-description (symbol)
  "What DESCRIBE adds for the class and the generic function SYMBOL names (or \"\")."
  (with-output-to-string (s)
    (let ((class (%find-class symbol)))
      (when (and class (eq (def-kind (%class-def class)) :standard))
        (let ((def (%class-def class)))
          (format s "~%~A names the standard-class ~S:~%" (symbol-name symbol) class)
          (when (def-documentation def)
            (format s "  Documentation:~%    ~A~%" (def-documentation def)))
          (format s "  Class precedence-list: ~{~S~^, ~}~%" (mapcar #'class-name (def-cpl def)))
          (format s "  Direct superclasses: ~{~S~^, ~}~%" (mapcar #'class-name (def-supers def)))
          (if (def-subclasses def)
              (format s "  Direct subclasses: ~{~S~^, ~}~%" (mapcar #'class-name (def-subclasses def)))
              (format s "  No subclasses.~%"))
          (if (def-direct-slots def)
              (format s "  Direct slots:~%")
              (format s "  No direct slots.~%"))
          (dolist (slot (def-direct-slots def))
            (let ((options (cdr slot)))
              (format s "    ~S~%" (car slot))
              (when (getf options :initargs)
                (format s "      Initargs: ~{~S~^, ~}~%" (getf options :initargs)))
              (when (getf options :initfunction)
                (format s "      Initform: ~S~%" (getf options :initform)))
              (when (eq (getf options :allocation) :class)
                (format s "      Allocation: CLASS~%"))
              (when (getf options :readers)
                (format s "      Readers: ~{~S~^, ~}~%" (getf options :readers)))
              (when (getf options :writers)
                (format s "      Writers: ~{~S~^, ~}~%" (getf options :writers)))
              (when (getf options :documentation)
                (format s "      Documentation:~%        ~A~%" (getf options :documentation))))))))
    (let ((gf (%find-generic-function symbol)))
      (when gf
        (format s "~%~A names a generic function with ~D method~:P:~%"
                (symbol-name symbol) (length (%gf-methods gf)) (length (%gf-methods gf)))
        (dolist (method (%gf-methods gf))
          (format s "    (~S~{ ~S~} ~S)~%" symbol (method-qualifiers method)
                  (mapcar (lambda (sp) (if (consp sp) sp (class-name sp)))
                          (%method-specializers method))))))))

;;; DESCRIBE.

(defmethod describe-object ((object t) stream)
  (format stream "~S~%  [~(~A~)]~%" object (class-name (class-of object))))

(defmethod describe-object ((object standard-object) stream)
  (format stream "~S~%  [standard-object]~%" object)
  (let* ((slots (def-slots (%instance-definition object)))
         (local (remove-if (lambda (s) (consp (%slot-location s))) slots))
         (shared (remove-if-not (lambda (s) (consp (%slot-location s))) slots)))
    (when slots (terpri stream))
    (dolist (group (list (cons "CLASS" shared) (cons "INSTANCE" local)))
      (when (cdr group)
        (format stream "Slots with :~A allocation:~%" (car group))
        (dolist (slot (cdr group))
          (format stream "  ~30A = ~A~%" (car slot)
                  (if (slot-boundp object (car slot))
                      (prin1-to-string (slot-value object (car slot)))
                      "#<unbound slot>")))))))

(defun describe (object &optional stream)
  (let ((stream (cond ((null stream) *standard-output*) ((eq stream t) *standard-output*) (t stream))))
    (fresh-line stream)
    (describe-object object stream)
    (values)))
;;; Restarts are instances of RESTART from here on (the boot's were lists, see prelude.lisp).
;;; They are made and read through their slots' positions: RESTART-CASE makes one each
;;; time it is entered, and MAKE-INSTANCE would cost twenty times as much.

(defclass restart ()
  ((name :initarg :name)
   (function :initarg :function)
   (report-function :initarg :report-function)
   (interactive-function :initarg :interactive-function)
   (test-function :initarg :test-function)))

(let* ((class (find-class 'restart))
       (layout (def-layout (%class-def class))))
  (defun %make-restart (name function report &optional interactive test)
    (let ((restart (%make-instance-object class layout 5)))
      (%instance-set restart 0 name)
      (%instance-set restart 1 function)
      (%instance-set restart 2 report)
      (%instance-set restart 3 interactive)
      (%instance-set restart 4 test)
      restart)))

(let ((class (find-class 'restart)))
  (defun %restart-slot (restart index)
    (unless (and (%instancep restart) (eq (%instance-class restart) class))
      (error 'type-error :datum restart :expected-type 'restart))
    (%instance-ref restart index nil)))

(defun restart-name (restart) (%restart-slot restart 0))
(defun %restart-function (restart) (%restart-slot restart 1))
(defun %restart-report-function (restart) (%restart-slot restart 2))
(defun %restart-interactive (restart) (%restart-slot restart 3))
(defun %restart-test (restart) (%restart-slot restart 4))

(defmethod print-object ((restart restart) stream)
  (if *print-escape*
      (print-unreadable-object (restart stream :type t :identity t)
        (prin1 (restart-name restart) stream))
      (write-string (%restart-report restart) stream)))
