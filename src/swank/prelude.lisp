;;;; Swank RPCs written in Lisp. Loaded into the SWANK package at boot; every function it
;;;; defines in SWANK or SWANK-REPL is exported, so Emacs can call it as swank:NAME.

(defvar *eof* (make-symbol "EOF"))

(defun read-from-string-at (string position)
  "Reads the form in STRING at POSITION: (values form next-position), *EOF* at the end."
  (read-from-string string nil *eof* :start position))

(defun eval-region (string)
  "Evaluates every form in STRING as one unit of change; returns the values of the last
as a list."
  (swankd::%eval-forms-as-unit string "the region"))

(defvar swankd::*per-connection-tables* nil
  "Variables whose values are hash tables keyed by connection id: when a connection
closes, its entry is removed from each.")

(defvar *presentations* (make-hash-table)
  "Connection id -> (NEXT-ID . table of presented objects by id), for connections that
turned presentations on.")
(pushnew '*presentations* swankd::*per-connection-tables*)

(defun presentation-table ()
  (let ((id (swankd::%connection-id)))
    (and id (gethash id *presentations*))))

(defun send-repl-results (values)
  "Sends VALUES as REPL results: as presentations (objects Emacs can refer back to) when
the connection asked for them, else as plain text."
  (fresh-line)
  (swankd::%flush-output)
  (if (null values)
      (swankd::%send-to-emacs (list :write-string "; No value" :repl-result))
      (let ((table (presentation-table)))
        (dolist (value values)
          (if table
              (let ((id (car table)))
                (setf (car table) (1+ id))
                (setf (gethash id (cdr table)) value)
                (swankd::%send-to-emacs (list :presentation-start id :repl-result))
                (swankd::%send-to-emacs (list :write-string (prin1-to-string value) :repl-result))
                (swankd::%send-to-emacs (list :presentation-end id :repl-result))
                (swankd::%send-to-emacs (list :write-string (string #\Newline) :repl-result)))
              (swankd::%send-to-emacs
               (list :write-string (concatenate 'string (prin1-to-string value) (string #\Newline))
                     :repl-result)))))))

(defun eval-forms (string)
  "Evaluates every form in STRING, each taking effect at once (REPL input is not a unit of
change), with - holding the form being evaluated; returns the values of the last as a
list, and the last form."
  (let ((position 0) (values nil) (last-form nil) (- nil))
    (swankd::%repeat
      (multiple-value-bind (form next) (read-from-string-at string position)
        (when (eq form *eof*) (return (values values last-form)))
        (setq - form last-form form)
        (setq values (multiple-value-list (eval form)))
        (setq position next)))))

(defun swankd::%with-retry-restart (description thunk)
  "Calls THUNK with a RETRY restart (reported as DESCRIPTION) that calls it again."
  (loop
    (restart-case (return (funcall thunk))
      (retry () :report (lambda (stream) (write-string description stream)) nil))))

(defun swank-repl::listener-eval (string &key (window-width nil window-width-p))
  "The REPL's evaluation of STRING; with WINDOW-WIDTH (the Emacs window's), results are
pretty-printed to fit it, as in swank."
  (if window-width-p
      (let ((*print-right-margin* window-width))
        (swankd::%listener-eval-forms string))
      (swankd::%listener-eval-forms string)))

(defun swankd::%listener-eval-forms (string)
  "Evaluates the forms in STRING for the REPL and sends their results."
  ;; Input left over from an earlier evaluation (the newline after what READ took) is
  ;; not this one's, as in swank.
  (clear-input)
  (let ((package *package*) (values nil) (last-form nil))
    (swankd::%with-retry-restart "Retry SLIME REPL evaluation request."
                                 (lambda ()
                                   (multiple-value-setq (values last-form) (eval-forms string))))
    (setq *** ** ** * * (car values)
          /// // // / / values
          +++ ++ ++ + + last-form)
    (send-indentation-updates)
    (send-repl-results values)
    (unless (eq package *package*)
      (swankd::%send-to-emacs
       (list :new-package (package-name *package*) (swankd::%package-prompt *package*))))
    nil))

(defun swank-repl::clear-repl-variables ()
  (setq * nil ** nil *** nil / nil // nil /// nil + nil ++ nil +++ nil)
  nil)

(defun swank-repl::create-repl (target &key coding-system)
  (declare (ignore target coding-system))
  (swankd::%repl-created)
  (list (package-name *package*) (swankd::%package-prompt *package*)))

(defun interactive-eval (string)
  (swankd::%with-retry-restart
   "Retry SLIME interactive evaluation request."
   (lambda ()
     (swankd::%format-values-for-echo-area
      (multiple-value-list (eval (read-from-string string)))))))

(defun interactive-eval-region (string)
  (prog1 (swankd::%format-values-for-echo-area (eval-region string))
    (send-indentation-updates)))

(defun eval-and-grab-output (string)
  (let* ((values nil)
         (output (with-output-to-string (*standard-output*)
                   (setq values (multiple-value-list (eval (read-from-string string)))))))
    (list output (format nil "~{~S~^~%~}" values))))

(defvar *swank-pprint-bindings*
  '((*print-pretty* . t)
    (*print-level* . nil)
    (*print-length* . nil)
    (*print-circle* . t)
    (*print-readably* . nil))
  "The printer variables' values while values are pretty-printed for Emacs (as in swank).")

(defvar *macroexpand-printer-bindings*
  '((*print-circle* . nil)
    (*print-pretty* . t)
    (*print-escape* . t)
    (*print-lines* . nil)
    (*print-level* . nil)
    (*print-length* . nil))
  "The printer variables' values while macroexpansions are printed (as in swank).")

(defun call-with-bindings (alist function)
  "Calls FUNCTION with each variable in ALIST, a list of (VARIABLE . VALUE), bound."
  (progv (mapcar #'car alist) (mapcar #'cdr alist)
    (funcall function)))

(defun swank-pprint (values)
  "VALUES pretty-printed, each on lines of its own, as the pprint commands show them."
  (call-with-bindings
   *swank-pprint-bindings*
   (lambda ()
     (if (null values)
         "; No value"
         (with-output-to-string (*standard-output*)
           (dolist (value values)
             (pprint value)
             (terpri)))))))

(defun pprint-eval (string)
  "C-c C-p: what evaluating STRING wrote, then its values pretty-printed."
  (let* ((values nil)
         (output (with-output-to-string (*standard-output*)
                   (setq values (multiple-value-list (eval (read-from-string string)))))))
    (concatenate 'string output (swank-pprint values))))

(defun re-evaluate-defvar (form)
  (let ((form (read-from-string form)))
    (makunbound (cadr form))
    (prin1-to-string (eval form))))

(defun from-string (string)
  "The object STRING reads as (Emacs sends trace specs this way)."
  (read-from-string string))

(defun swank-require (modules &optional filename)
  (declare (ignore filename))
  (mapcar (lambda (module) (string-upcase (string module)))
          (if (listp modules) modules (list modules))))

(defun init-presentations ()
  "slime-presentations: REPL results become presentations, objects Emacs can copy back
into an input and have read as the same object."
  (let ((id (swankd::%connection-id)))
    (when id
      (setf (gethash id *presentations*) (cons 1 (make-hash-table)))))
  'present-repl-results)

(defun lookup-presented-object (id)
  "The object presented with ID, and whether there is one."
  (let ((table (presentation-table)))
    (if table
        (gethash id (cdr table))
        (values nil nil))))

(defun lookup-presented-object-or-lose (id)
  "The object presented with ID; an error if it was never presented or was cleared."
  (multiple-value-bind (object found) (lookup-presented-object id)
    (if found
        object
        (error "Attempt to access unrecorded object (id ~D)." id))))

(defun clear-repl-results ()
  "Forgets the presented objects (M-x slime-clear-presentations)."
  (let ((table (presentation-table)))
    (when table (clrhash (cdr table))))
  t)

(defun inspect-presentation (id reset-p)
  (declare (ignore reset-p))
  (inspector-visit (lookup-presented-object-or-lose id)))

(defun autodoc (raw-form &key print-right-margin)
  "The arglist of the operator around the cursor in RAW-FORM with the current argument
between ===> and <===, or the value of the variable at the cursor: (DOC CACHE-P), DOC
:NOT-AVAILABLE when nothing is known. The text stays on one line whatever the margin."
  (declare (ignore print-right-margin))
  (swankd::%autodoc raw-form))

(defun buffer-first-change (filename)
  (declare (ignore filename))
  nil)

(defun operator-arglist (name package)
  "\"(NAME ARGS...)\" for the function or macro NAME in PACKAGE, or NIL."
  (swankd::%operator-arglist name package))

(defun swankd::%run-forms (text &optional origin)
  "Evaluates every form of the string TEXT in order, as a program runs: each takes effect
when it is evaluated (a program's last form may well run forever). ORIGIN: where TEXT
comes from, for M-. (see SWANKD::*SOURCE-ORIGIN*)."
  (let ((position 0) (eof (make-symbol "EOF")) (*package* *package*)
        (swankd::*source-origin* origin) (swankd::*form-start* nil))
    (swankd::%repeat
      (multiple-value-bind (form next) (read-from-string text nil eof :start position)
        (when (eq form eof) (return nil))
        (setq swankd::*form-start* (swankd::%form-start text position))
        (eval form)
        (setq position next)))))

(defun swankd::%run-program (files forms)
  "The program's main thread: runs the FILES, then the FORMS strings. Its ABORT restart
(offered in SLDB) ends the main thread; the daemon keeps serving."
  (restart-case
      (progn
        (dolist (file files)
          (let ((*load-pathname* (pathname file))
                (*load-truename* (probe-file file)))
            (swankd::%run-forms (swankd::%file-string file)
                                (list :file (swankd::%absolute-path file)))))
        (dolist (text forms)
          (swankd::%run-forms text)))
    (abort () :report "Abort the program's main thread." nil))
  nil)

(defun create-server (&key (port 4005) (interface "127.0.0.1") (style :spawn) dont-close
                        coding-system backlog)
  "Listens for Emacs on INTERFACE:PORT (0: any free port) and returns the port. The
listener stays open until STOP-SERVER whatever DONT-CLOSE says; connections are served as
with STYLE :SPAWN."
  (declare (ignore style dont-close coding-system backlog))
  (swankd::%listen-tcp (string interface) port))

(defun create-server-unix (path &key dont-close coding-system)
  "Listens for Emacs on a Unix socket at PATH (mode 0600; a stale socket there is replaced)."
  (declare (ignore dont-close coding-system))
  (swankd::%listen-unix (string path))
  path)

(defun stop-server (port)
  "Stops listening on PORT; clients already connected stay connected."
  (swankd::%stop-tcp port))

(defun stop-server-unix (path)
  "Stops listening on the Unix socket at PATH and removes it."
  (swankd::%stop-unix (string path)))

(defun swankd::%text-location (text origin offset)
  "The location of character OFFSET of TEXT, read from ORIGIN (see *SOURCE-ORIGIN*)."
  (cond ((and offset (eq (car origin) :buffer))
         (list :location (list :buffer (cadr origin)) (list :offset (caddr origin) offset) nil))
        ((and offset (eq (car origin) :file))
         (list :location (list :file (cadr origin)) (list :position (1+ offset)) nil))
        (t (list :error "No error location available"))))

(defun swankd::%compile-notes-for-emacs (text origin)
  "Compiler notes for what the compiled code (TEXT, read from ORIGIN) does that SBCL would
remark on: calls of undefined functions, uses of undefined variables, calls with the wrong
number of arguments, variables never used. Each points at the first call of the function
or the first occurrence of the variable in TEXT."
  (mapcar (lambda (entry)
            (destructuring-bind (kind symbol &optional detail) entry
              (let ((qualified (format nil "~A::~A" (package-name (symbol-package symbol))
                                       (symbol-name symbol))))
                (multiple-value-bind (message severity offset)
                    (ecase kind
                      (:undefined-function
                       (values (format nil "undefined function: ~A" qualified) :style-warning
                               (swankd::%call-offset text (symbol-name symbol))))
                      (:undefined-variable
                       (values (format nil "undefined variable: ~A" qualified) :warning
                               (swankd::%symbol-offset text (symbol-name symbol))))
                      (:wrong-argument-count
                       (values (format nil "The function ~S is ~A." symbol detail) :warning
                               (swankd::%call-offset text (symbol-name symbol))))
                      (:unused-variable
                       (values (format nil "The variable ~S is defined but never used." symbol)
                               :style-warning
                               (swankd::%symbol-offset text (symbol-name symbol)))))
                  (list :message message
                        :severity severity
                        :location (swankd::%text-location text origin offset)
                        :references nil)))))
          (swankd::%compile-notes)))

(defun swankd::%compilation-result (what thunk &optional text origin)
  "Runs THUNK, which evaluates code from Emacs (TEXT, read from ORIGIN), and answers like
swank's compile functions: (:compilation-result NOTES SUCCESSP DURATION LOADP FASLFILE).
What the compiler noticed becomes notes (see %COMPILE-NOTES-FOR-EMACS); a reader error or
a form cut short by the end of the text becomes a note and SUCCESSP NIL; other errors open
the debugger, as when SBCL loads the code. Either way
nothing of the code is installed unless it all succeeds."
  (let ((start (get-internal-real-time)))
    (flet ((result (notes successp)
             (list :compilation-result notes successp
                   (/ (- (get-internal-real-time) start) 1000000.0) nil nil))
           (note (condition severity)
             (list :message (princ-to-string condition) :severity severity
                   :location (list :error (format nil "No error location available in ~A" what))
                   :references nil)))
      (swankd::%collect-compile-notes)
      (handler-case (progn (funcall thunk)
                           (send-indentation-updates)
                           (result (and text (swankd::%compile-notes-for-emacs text origin)) t))
        (reader-error (condition) (result (list (note condition :read-error)) nil))
        (end-of-file (condition) (result (list (note condition :read-error)) nil))))))

(defun compile-string-for-emacs (string buffer position filename policy)
  "C-c C-c: evaluates the forms of STRING (from BUFFER, where it starts at
POSITION) as one unit."
  (declare (ignore policy))
  (let* ((start (or (cadr (assoc :position position)) 1))
         (origin (list :buffer buffer start filename)))
    (swankd::%compilation-result
     buffer
     (lambda () (swankd::%eval-forms-as-unit string buffer t origin))
     string origin)))

(defun compile-multiple-strings-for-emacs (strings policy)
  "Recompiling from an xref buffer: each (STRING BUFFER-NAME PACKAGE POSITION FILENAME) is
compiled as C-c C-c compiles it, in its own package; one result each."
  (mapcar (lambda (item)
            (destructuring-bind (string buffer-name package position filename) item
              (let ((*package* (or (guess-package package) *package*)))
                (compile-string-for-emacs string buffer-name
                                          (list (list :position position))
                                          filename policy))))
          strings))

(defun compile-file-for-emacs (filename load-p &rest options)
  "C-c C-k: loads FILENAME as one unit (swankd has no separate compiled files); with
LOAD-P false only reads it, to report reader errors."
  (declare (ignore options))
  (swankd::%compilation-result
   filename
   (lambda ()
     (if load-p
         (load filename)
         (let ((text (swankd::%file-string filename)) (position 0) (eof (make-symbol "EOF")))
           (swankd::%repeat
             (multiple-value-bind (form next) (read-from-string text nil eof :start position)
               (when (eq form eof) (return t))
               (setq position next))))))
   (and load-p (ignore-errors (swankd::%file-string filename)))
   (list :file (swankd::%absolute-path filename))))

(defun load-file (filename)
  "C-c C-l: loads FILENAME as one unit; the echo area shows the result."
  (prin1-to-string (load filename)))

(defun sleep-for (seconds)
  "Sleeps SECONDS in the calling thread (swank's name for it)."
  (sleep seconds))

(defun apply-macro-expander (expander string)
  "The text of EXPANDER applied to the form STRING holds, pretty-printed as the
macroexpansion buffer shows it."
  (call-with-bindings
   *macroexpand-printer-bindings*
   (lambda ()
     (prin1-to-string (funcall expander (read-from-string string))))))

(defun swank-macroexpand-1 (string)
  "C-c C-m: the form's expansion by one step."
  (apply-macro-expander #'macroexpand-1 string))

(defun swank-macroexpand (string)
  "The form expanded until it is no longer a macro call."
  (apply-macro-expander #'macroexpand string))

(defun compiler-macroexpand-1 (form)
  "FORM expanded once by the compiler macro of its operator, and whether it was."
  (let ((expander (and (consp form) (symbolp (car form)) (compiler-macro-function (car form)))))
    (if expander
        (let ((expansion (funcall expander form nil)))
          (values expansion (not (eq expansion form))))
        (values form nil))))

(defun compiler-macroexpand (form)
  "FORM expanded by compiler macros until none applies."
  (let ((any nil))
    (loop
      (multiple-value-bind (expansion expandedp) (compiler-macroexpand-1 form)
        (unless expandedp (return (values form any)))
        (setq form expansion any t)))))

(defun expand-1 (form)
  "One step: by a macro, or else by a compiler macro."
  (multiple-value-bind (expansion expandedp) (macroexpand-1 form)
    (if expandedp
        (values expansion t)
        (compiler-macroexpand-1 form))))

(defun swank-compiler-macroexpand-1 (string)
  "The form expanded once by its compiler macro (unchanged when it has none)."
  (apply-macro-expander #'compiler-macroexpand-1 string))

(defun swank-compiler-macroexpand (string)
  "The form expanded by compiler macros until none applies."
  (apply-macro-expander #'compiler-macroexpand string))

(defun swank-expand-1 (string)
  "C-c RET: one step by a macro or, when the form is not a macro call, by a compiler macro."
  (apply-macro-expander #'expand-1 string))

(defun find-definitions-for-emacs (name)
  "M-.: ((LABEL LOCATION) ...) for the definitions of the symbol NAME names: a file
position for definitions loaded from files, a buffer offset for C-c C-c, an error for
functions built into swankd."
  (let ((symbol (ignore-errors (read-from-string name))))
    (when (symbolp symbol)
      (append
       (mapcar (lambda (entry)
                (let ((label (or (and (eq (car entry) 'defun)
                                      (swankd::%generic-function-label symbol))
                                 (format nil "(~A ~S)" (car entry) symbol))))
                  (list label
                        (or (cadr entry)
                            (list :error
                                  (format nil "~S has no source location: ~A." symbol
                                          (if (eq (car entry) 'defvar)
                                              "it was not defined from a file or buffer"
                                              "it is built in or was defined at the REPL")))))))
              (swankd::%definition-sources symbol))
      (mapcar (lambda (entry)
                (list (car entry)
                      (or (cadr entry)
                          (list :error (format nil "~A has no source location: it was defined at the REPL."
                                               (car entry))))))
              (swankd::%clos-definitions symbol))))))

;;;; Packages, directories and the rest of the everyday set.

(defun guess-package (name)
  "The package NAME names, as Emacs writes it (\":cl-user\", \"CL-USER\"), or NIL."
  (and name
       (let ((name (string name)))
         (or (find-package name)
             (find-package (string-upcase (string-left-trim ":" name)))))))

(defun set-package (name)
  "C-c M-p: (NAME PROMPT) of the package NAME names; the REPL uses it from then on."
  (let ((package (or (guess-package name) (error "No package named ~S." name))))
    (setq *package* package)
    (list (package-name package) (swankd::%package-prompt package))))

(defun list-all-package-names (&optional nicknames)
  "The names of every package (and their nicknames if NICKNAMES)."
  (swankd::%package-names nicknames))

(defun default-directory ()
  "The daemon's working directory (relative LOAD paths start there)."
  (swankd::%current-directory))

(defun set-default-directory (directory)
  "Changes the daemon's working directory; returns the new one."
  (swankd::%set-current-directory (string directory)))

(defun undefine-function (name)
  "C-c C-u: removes the global function NAME names; returns the symbol's full name."
  (let ((symbol (read-from-string name)))
    (fmakunbound symbol)
    (format nil "~A::~A" (package-name (symbol-package symbol)) (symbol-name symbol))))

(defvar *debug-on-swank-error* nil)

(defun toggle-debug-on-swank-error ()
  (setq *debug-on-swank-error* (not *debug-on-swank-error*)))

(defun ping (tag)
  tag)

(defun value-for-editing (form)
  "C-c E: the value of the place FORM, as text to edit."
  (let ((*print-readably* nil))
    (prin1-to-string (eval (read-from-string form)))))

(defun commit-edited-value (form value)
  "Stores the edited VALUE (text) into the place FORM."
  (eval `(setf ,(read-from-string form) ,(read-from-string value)))
  t)

(defun xref-entries (symbols)
  "(LABEL LOCATION) for each of SYMBOLS, located at its function's definition."
  (mapcar (lambda (symbol)
            (list (symbol-name symbol)
                  (or (cadr (assoc 'defun (swankd::%definition-sources symbol)))
                      (cadr (assoc 'defmacro (swankd::%definition-sources symbol)))
                      (list :error (format nil "~S has no source location." symbol)))))
          symbols))

(defun xref (type name)
  "C-c C-w c/w/r/b/s/m: who calls, references, binds or sets NAME, who expands the macro
NAME, or whom NAME calls, read from the code of the functions defined now; :SPECIALIZES,
the methods specialized on the class NAME."
  (let ((symbol (read-from-string name)))
    (if (eq type :specializes)
        (mapcar (lambda (entry)
                  (list (car entry)
                        (or (cadr entry)
                            (list :error (format nil "~A has no source location." (car entry))))))
                (swankd::%specializing-methods symbol))
        (xref-entries (swankd::%xref type symbol)))))

(defun xrefs (types name)
  "M-?: ((TYPE . ENTRIES) ...) for the TYPES that find something."
  (let ((result nil))
    (dolist (type types (nreverse result))
      (let ((entries (xref type name)))
        (when (and entries (listp entries))
          (push (cons type entries) result))))))

(defun start-server (port-file &key style dont-close coding-system)
  "What M-x slime asks of its inferior Lisp: listen on a free port and write the port to
PORT-FILE, where SLIME waits for it."
  (declare (ignore style dont-close coding-system))
  (let ((port (create-server :port 0)))
    (swankd::%write-port-file (string port-file) port)
    port))

(defun expand-all (form)
  "FORM with every macro call in it expanded, walking special forms by their syntax
(quoted data and declarations are left alone). Local MACROLET definitions are not
applied inside their bodies."
  (let ((form (macroexpand form)))
    (if (atom form)
        form
        (let ((head (car form)))
          (flet ((body (forms) (mapcar #'expand-all forms))
                 (lambda-form (lambda-form)
                   (list* (car lambda-form) (cadr lambda-form)
                          (mapcar #'expand-all (cddr lambda-form)))))
            (case head
              ((quote declare go) form)
              (function (if (and (consp (cadr form)) (eq (car (cadr form)) 'lambda))
                            (list 'function (lambda-form (cadr form)))
                            form))
              (lambda (lambda-form form))
              ((let let*)
               (list* head
                      (mapcar (lambda (binding)
                                (if (consp binding)
                                    (list (car binding) (expand-all (cadr binding)))
                                    binding))
                              (cadr form))
                      (body (cddr form))))
              ((flet labels macrolet)
               (list* head (mapcar #'lambda-form (cadr form)) (body (cddr form))))
              ((block return-from eval-when the catch)
               (list* head (cadr form) (body (cddr form))))
              (tagbody (cons head (mapcar (lambda (item) (if (atom item) item (expand-all item)))
                                          (cdr form))))
              (t (cons head (body (cdr form))))))))))

(defun swank-macroexpand-all (string)
  "C-c M-m: every macro call in the form expanded."
  (apply-macro-expander #'expand-all string))

(defun apropos-list-for-emacs (name &optional external-only case-sensitive package)
  "C-c C-d a/z/p: the symbols whose names contain NAME and that name something, as
(:designator \"NAME\" :function DOC ...) plists."
  (swankd::%apropos name external-only case-sensitive
                    (and package (guess-package package)) *package*))

(defun describe-symbol (name)
  "C-c C-d d: what DESCRIBE says about the symbol NAME, with the class it names and the
methods of the generic function it names."
  (let ((symbol (ignore-errors (let ((*read-eval* nil)) (read-from-string name)))))
    (concatenate 'string (swankd::%describe-symbol name)
                 (if (and symbol (symbolp symbol)) (swankd::%clos-description symbol) ""))))

(defmethod describe-object ((object symbol) stream)
  "DESCRIBE of a symbol says what C-c C-d d says."
  (write-string (swankd::%describe-symbol object) stream)
  (write-string (swankd::%clos-description object) stream))

(defun describe-definition-for-emacs (name kind)
  "What a click in the apropos buffer shows."
  (declare (ignore kind))
  (describe-symbol name))

(defun swankd::%await-input (stream function arguments)
  "Asks Emacs for a line for STREAM (:read-string), waits for it, and calls FUNCTION again."
  (swankd::%wait-for-input stream)
  (apply function arguments))

(defun format-directive-forms (control)
  "The forms that write CONTROL's output to STREAM, taking arguments from ARGS: text and
the simple directives (~A ~S ~D ~B ~O ~X ~C ~% ~& ~~, with any parameters) one by one;
from the first directive that groups or jumps (~{ ~[ ~( ~< ~? ~* ~^), one FORMAT call
for the rest."
  (let ((forms '()) (start 0) (length (length control)))
    (flet ((text (end)
             (when (< start end)
               (push `(write-string ,(subseq control start end) stream) forms))))
      (loop
        (let ((tilde (position #\~ control :start start)))
          (unless tilde
            (text length)
            (return))
          (text tilde)
          (let* ((kind-at (or (position-if (lambda (c) (not (or (digit-char-p c)
                                                                 (member c '(#\, #\' #\: #\@ #\v #\V #\#)))))
                                           control :start (1+ tilde))
                              length))
                 (kind (and (< kind-at length) (char-upcase (char control kind-at))))
                 (directive (subseq control tilde (min length (1+ kind-at)))))
            (case kind
              ((#\A) (push (if (string-equal directive "~A")
                               '(princ (pop args) stream)
                               `(format stream ,directive (pop args)))
                           forms))
              ((#\S) (push (if (string-equal directive "~S")
                               '(prin1 (pop args) stream)
                               `(format stream ,directive (pop args)))
                           forms))
              ((#\D #\B #\O #\X #\C #\R #\F #\E #\G #\$ #\P)
               (push `(format stream ,directive (pop args)) forms))
              ((#\%) (push '(terpri stream) forms))
              ((#\&) (push '(fresh-line stream) forms))
              ((#\~) (push '(write-char #\~ stream) forms))
              (t (push `(apply #'format stream ,(subseq control tilde) args) forms)
                 (return)))
            (setq start (1+ kind-at))))))
    (nreverse forms)))

(defun swank-format-string-expand (string)
  "C-c C-m on a format string: the function it amounts to."
  (let ((control (read-from-string string)))
    (unless (stringp control)
      (error "~S is not a format control string." control))
    (let ((*print-case* :upcase)
          (*package* (find-package :swank))
          (forms (format-directive-forms control)))
      (prin1-to-string
       `(function (lambda (stream &rest args)
                    ,@forms
                    ,@(unless (eq (car (car (last forms))) 'apply) '(args))))))))
