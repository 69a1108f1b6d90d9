;;;; The inspector (C-c I, and i / RET on a local / C in SLDB): loaded into the SWANK
;;;; package at boot. Each page describes one object as a list of items: strings,
;;;; (:value "printed" PART) for parts that can be inspected in turn, and (:label "text").
;;;; The state (current object, its parts, history) is one per connection.

(defvar *inspectors* (make-hash-table) "Connection id -> its inspector state.")
(pushnew '*inspectors* swankd::*per-connection-tables*)

(defun inspector-state ()
  "The calling connection's state: a list (OBJECT PARTS HISTORY FORWARD ACTIONS), made on
demand. ACTIONS are the functions of the page's (:action \"label\" INDEX) items."
  (let ((id (swankd::%connection-id)))
    (or (gethash id *inspectors*)
        (setf (gethash id *inspectors*) (list nil nil nil nil nil)))))

(defun inspector-printed (object)
  (let ((*print-circle* t) (*print-length* 20) (*print-level* 3) (*print-readably* nil))
    (prin1-to-string object)))

(defun inspector-items (object)
  "The page for OBJECT: (ITEMS PARTS ACTIONS) with PARTS the values its (:value ...) items
name and ACTIONS the functions its (:action ...) items call."
  (let ((items nil) (parts nil) (actions nil))
    (labels ((text (&rest strings) (dolist (s strings) (push s items)))
             (part (value)
               (push value parts)
               (push (list :value (inspector-printed value) (1- (length parts))) items))
             (action (label function)
               (push function actions)
               (push (list :action label (1- (length actions))) items))
             (line (label value) (text label ": ") (part value) (text (string #\Newline))))
      (cond
        ((and (consp object) (null (cdr (last object))))
         (text "A proper list:" (string #\Newline))
         (let ((index 0))
           (dolist (element object)
             (line (princ-to-string index) element)
             (setq index (1+ index)))))
        ((consp object)
         (line "Car" (car object))
         (line "Cdr" (cdr object)))
        ((stringp object)
         (text (format nil "A string of length ~D:" (length object)) (string #\Newline))
         (line "Value" object))
        ((vectorp object)
         (text (format nil "A vector of length ~D:" (length object)) (string #\Newline))
         (dotimes (index (length object))
           (line (princ-to-string index) (aref object index))))
        ((hash-table-p object)
         (text (format nil "A hash table with ~D entries, test ~S " (hash-table-count object)
                       (hash-table-test object)))
         (action "[clear hashtable]" (lambda () (clrhash object)))
         (text (string #\Newline))
         (maphash (lambda (key value)
                    (part key)
                    (text " = ")
                    (part value)
                    (text " ")
                    (action "[remove entry]" (lambda () (remhash key object)))
                    (text (string #\Newline)))
                  object))
        ((symbolp object)
         (line "Its name is" (symbol-name object))
         (cond ((boundp object)
                (text "It is a global variable bound to: ")
                (part (symbol-value object))
                (text " ")
                (action "[make unbound]" (lambda () (makunbound object)))
                (text (string #\Newline)))
               (t (text "It is unbound." (string #\Newline))))
         (cond ((fboundp object)
                (text "It names the function: ")
                (part (symbol-function object))
                (text " ")
                (action "[unbind]" (lambda () (fmakunbound object)))
                (text (string #\Newline)))
               (t (text "It names no function." (string #\Newline))))
         (line "Its home package is" (symbol-package object))
         (line "Its property list is" (symbol-plist object)))
        ((functionp object)
         (line "Name" (swankd::%function-name object))
         (let ((name (swankd::%function-name object)))
           (when (and name (symbolp name))
             (text "Arglist: " (or (swankd::%arglist-string name) "unknown")
                   (string #\Newline))
             (let ((doc (documentation name 'function)))
               (when doc (text "Documentation:" (string #\Newline) doc (string #\Newline)))))))
        ((packagep object)
         (line "Name" (package-name object))
         (line "Nicknames" (package-nicknames object))
         (line "Uses" (package-use-list object))
         (line "Used by" (package-used-by-list object))
         (let ((external 0) (present 0))
           (do-external-symbols (symbol object) (declare (ignore symbol)) (incf external))
           (do-symbols (symbol object) (declare (ignore symbol)) (incf present))
           (text (format nil "~D external symbols, ~D accessible symbols~%" external present))))
        ((integerp object)
         (line "Value" object)
         (text (format nil "Hexadecimal: ~X~%Octal: ~O~%Binary: ~B~%" object object object)))
        ((and (swankd::%instancep object) (typep object 'standard-object)
              (swankd::%slots-by-class object))
         (line "Class" (class-of object))
         (dolist (group (swankd::%slots-by-class object))
           (text (format nil "Slots of ~S:" (class-name (car group))) (string #\Newline))
           (dolist (slot (cdr group))
             (let ((name (car slot)))
               (text (format nil "  ~A: " name))
               (if (swankd::%unbound-slot-marker-p (cdr slot))
                   (text "#<unbound>")
                   (part (cdr slot)))
               (text " ")
               (action "[set value]" (lambda () (inspector-set-slot object name)))
               (unless (swankd::%unbound-slot-marker-p (cdr slot))
                 (text " ")
                 (action "[make unbound]" (lambda () (slot-makunbound object name))))
               (text (string #\Newline))))))
        ((swankd::%conditionp object)
         (line "Type" (swankd::%condition-type object))
         (line "Report" (princ-to-string object)))
        (t
         (line "Type" (type-of object))
         (line "Printed" (princ-to-string object)))))
    (list (nreverse items) (nreverse parts) (nreverse actions))))

(defun inspector-set-slot (object name)
  "Asks for a form in Emacs's minibuffer and sets OBJECT's slot NAME to its value."
  (let ((text (swankd::%read-from-minibuffer
               (format nil "Set slot ~S to (evaluated) : " name) nil)))
    (when (and text (string/= text ""))
      (setf (slot-value object name) (eval (read-from-string text))))))

(defun inspect-object (object)
  "Makes OBJECT the inspected object and returns its page as Emacs wants it."
  (let* ((state (inspector-state))
         (page (inspector-items object)))
    (setf (first state) object
          (second state) (second page)
          (fifth state) (third page))
    (let ((items (first page)))
      (list :title (inspector-printed object)
            :id 0
            :content (list items (length items) 0 (length items))))))

(defun inspector-visit (object)
  "Inspects OBJECT, remembering the current one for INSPECTOR-POP."
  (let ((state (inspector-state)))
    (when (second state)
      (push (first state) (third state)))
    (setf (fourth state) nil)
    (inspect-object object)))

(defun init-inspector (string)
  (init-inspector-on (eval (read-from-string string))))

(defun init-inspector-on (object)
  "Starts inspecting OBJECT afresh (no history)."
  (let ((state (inspector-state)))
    (setf (third state) nil (fourth state) nil (second state) nil))
  (inspect-object object))

(defun inspector-part (index)
  (let ((parts (second (inspector-state))))
    (if (and (integerp index) (< -1 index (length parts)))
        (nth index parts)
        (error "The inspected object has no part ~A." index))))

(defun inspect-nth-part (index)
  (inspector-visit (inspector-part index)))

(defun inspector-pop ()
  (let ((state (inspector-state)))
    (when (third state)
      (push (first state) (fourth state))
      (inspect-object (pop (third state))))))

(defun inspector-next ()
  (let ((state (inspector-state)))
    (when (fourth state)
      (push (first state) (third state))
      (inspect-object (pop (fourth state))))))

(defun inspector-reinspect ()
  (inspect-object (first (inspector-state))))

(defun inspector-toggle-verbose ()
  (inspector-reinspect))

(defun inspector-range (from to)
  (let* ((items (car (inspector-items (first (inspector-state)))))
         (count (length items))
         (end (min to count))
         (start (min from end)))
    (list (subseq items start end) count start end)))

(defun inspector-call-nth-action (index &rest arguments)
  "Runs the page's action INDEX (such as [set value]) and shows the object again."
  (declare (ignore arguments))
  (let ((actions (fifth (inspector-state))))
    (unless (and (integerp index) (< -1 index (length actions)))
      (error "The inspected object has no action ~A." index))
    (funcall (nth index actions))
    (inspector-reinspect)))

(defun quit-inspector ()
  (let ((state (inspector-state)))
    (setf (first state) nil (second state) nil (third state) nil (fourth state) nil
          (fifth state) nil))
  nil)

(defun describe-inspectee ()
  (let ((object (first (inspector-state))))
    (format nil "~A~%is of type ~A." (inspector-printed object) (type-of object))))

(defun pprint-inspector-part (index)
  (swank-pprint (list (inspector-part index))))

(defun inspector-eval (string)
  "Evaluates STRING with * bound to the inspected object; the echo area shows the result."
  (let ((* (first (inspector-state))))
    (swankd::%format-values-for-echo-area
     (multiple-value-list (eval (read-from-string string))))))

(defun inspector-history ()
  (let ((state (inspector-state)))
    (format nil "~{~A~%~}" (mapcar #'inspector-printed
                                   (cons (first state) (third state))))))

(defun inspect-in-frame (string index)
  (inspector-visit (car (eval-in-frame string index (package-name *package*)))))

(defun inspect-frame-var (frame var)
  (let ((pair (nth var (frame-locals frame))))
    (unless pair (error "Frame ~D has no local number ~D." frame var))
    (inspector-visit (cadr pair))))

(defun inspect-current-condition ()
  (inspector-visit *sldb-condition*))
