//! The editor's requests whose replies Emacs destructures: completion, arglists and autodoc,
//! C-c C-c's compilation result and its notes, M-. locations, describe.

use lexpr::Value;

use crate::conformance::session::Session;
use crate::conformance::shapes::{self, elements, get, plist, show};
use crate::conformance::{Applies, Context, Scenario};

/// The contribs slime-fancy requires before it uses these requests.
const CONTRIBS: &str = "(swank:swank-require '(swank-repl swank-arglists swank-fuzzy))";

/// Where C-c C-c says the text starts.
const POSITION: &str = "'((:position 1) (:line 1 1))";

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "editing/simple-completions",
            applies: Applies::All,
            run: simple_completions,
        },
        Scenario {
            name: "editing/fuzzy-completions",
            applies: Applies::All,
            run: fuzzy_completions,
        },
        Scenario {
            name: "editing/operator-arglist-and-autodoc",
            applies: Applies::All,
            run: arglist_and_autodoc,
        },
        Scenario {
            name: "editing/compile-string-installs-and-notes-undefined-calls",
            applies: Applies::All,
            run: compile_string,
        },
        Scenario {
            name: "editing/compile-string-with-a-truncated-form-fails-with-a-note",
            applies: Applies::All,
            run: compile_string_truncated,
        },
        Scenario {
            name: "editing/find-definitions-and-describe",
            applies: Applies::All,
            run: definitions_and_describe,
        },
    ]
}

fn session_with_contribs(context: &Context) -> Result<Session, String> {
    let mut session = context.session()?;
    let reply = session.ok(CONTRIBS)?;
    shapes::strings("swank-require's reply", session.value(reply))?;
    Ok(session)
}

/// `((COMPLETION ...) COMMON-PREFIX)`.
fn simple_completions(context: &Context) -> Result<(), String> {
    let mut session = session_with_contribs(context)?;
    let reply = session.ok("(swank:simple-completions \"list-le\" '\"COMMON-LISP-USER\")")?;
    let value = session.value(reply);
    match elements(value).unwrap_or_default().as_slice() {
        [completions, prefix] if prefix.is_string() => {
            let names = shapes::strings("the completions", completions)?;
            if names
                .iter()
                .any(|name| name.eq_ignore_ascii_case("list-length"))
            {
                Ok(())
            } else {
                Err(format!(
                    "\"list-le\" did not complete to list-length: {names:?}"
                ))
            }
        }
        _ => Err(format!(
            "expected (COMPLETIONS PREFIX), got {}",
            show(value)
        )),
    }
}

/// `(COMPLETIONS INTERRUPTED-P)`, each completion `(NAME SCORE CHUNKS FLAGS)`: Debian's TAB
/// (brief, 0.14).
fn fuzzy_completions(context: &Context) -> Result<(), String> {
    let mut session = session_with_contribs(context)?;
    let reply = session.ok(
        "(swank:fuzzy-completions \"list-le\" \"COMMON-LISP-USER\" :limit 300 \
         :time-limit-in-msec 1500)",
    )?;
    let value = session.value(reply);
    let [completions, _interrupted] = elements(value).unwrap_or_default()[..] else {
        return Err(format!(
            "expected (COMPLETIONS INTERRUPTED-P), got {}",
            show(value)
        ));
    };
    let completions = elements(completions).ok_or("COMPLETIONS is not a list")?;
    if completions.is_empty() {
        return Err("no fuzzy completion for \"list-le\"".into());
    }
    for completion in completions {
        match elements(completion).unwrap_or_default().as_slice() {
            [name, score, chunks, flags]
                if name.is_string()
                    && score.is_string()
                    && elements(chunks).is_some()
                    && flags.is_string() => {}
            _ => {
                return Err(format!(
                    "a completion must be (NAME SCORE CHUNKS FLAGS): {}",
                    show(completion)
                ));
            }
        }
    }
    Ok(())
}

/// An arglist is a string or nil; autodoc answers `(TEXT CACHE-P)` or `(:not-available t)`.
fn arglist_and_autodoc(context: &Context) -> Result<(), String> {
    let mut session = session_with_contribs(context)?;
    let reply = session.ok("(swank:operator-arglist \"list\" \"COMMON-LISP-USER\")")?;
    let arglist = session.value(reply);
    if !arglist.is_string() && !shapes::is_nil(arglist) {
        return Err(format!("operator-arglist gave {}", show(arglist)));
    }
    let reply = session
        .ok("(swank:autodoc '(\"list\" \"\" swank::%cursor-marker%) :print-right-margin 80)")?;
    let autodoc = session.value(reply);
    let items = elements(autodoc).unwrap_or_default();
    let not_available =
        matches!(items.as_slice(), [key, _] if key.as_keyword() == Some("not-available"));
    let text = matches!(items.as_slice(), [text, _] if text.is_string());
    if not_available || text {
        Ok(())
    } else {
        Err(format!(
            "autodoc must be (TEXT CACHE-P) or (:not-available t), got {}",
            show(autodoc)
        ))
    }
}

/// `(:compilation-result NOTES SUCCESS DURATION LOADP FASLFILE)`; checks the notes' shape and
/// returns the notes (but not `:redefinition` ones: the kit may run twice against one server)
/// and success.
fn compilation_result(value: &Value) -> Result<(Vec<&Value>, bool), String> {
    let items = elements(value).unwrap_or_default();
    let [head, notes, success, duration, _loadp, _faslfile] = items.as_slice() else {
        return Err(format!(
            "expected (:compilation-result NOTES SUCCESS DURATION LOADP FASLFILE), got {}",
            show(value)
        ));
    };
    if head.as_keyword() != Some("compilation-result") || !duration.is_number() {
        return Err(format!("not a compilation result: {}", show(value)));
    }
    let notes = elements(notes).ok_or("NOTES is not a list")?;
    for note in &notes {
        let pairs = plist(
            "a compiler note",
            note,
            None,
            &["message", "severity", "location"],
        )?;
        if !get(&pairs, "message").is_some_and(Value::is_string)
            || get(&pairs, "severity")
                .and_then(Value::as_keyword)
                .is_none()
        {
            return Err(format!(
                "a note needs a string :message and a keyword :severity: {}",
                show(note)
            ));
        }
        check_location(get(&pairs, "location").unwrap_or(&Value::Nil))?;
    }
    let notes = notes
        .into_iter()
        .filter(|note| {
            plist("a compiler note", note, None, &[]).is_ok_and(|pairs| {
                get(&pairs, "severity").and_then(Value::as_keyword) != Some("redefinition")
            })
        })
        .collect();
    Ok((notes, !shapes::is_nil(success)))
}

/// `(:location BUFFER POSITION HINTS)` (four elements) or `(:error MESSAGE)` (brief, 0.8).
fn check_location(location: &Value) -> Result<(), String> {
    match elements(location).unwrap_or_default().as_slice() {
        [head, _, _, _] if head.as_keyword() == Some("location") => Ok(()),
        [head, message] if head.as_keyword() == Some("error") && message.is_string() => Ok(()),
        _ => Err(format!(
            "a location must be (:location BUFFER POSITION HINTS) or (:error MESSAGE): {}",
            show(location)
        )),
    }
}

fn compile(session: &mut Session, text: &str) -> Result<usize, String> {
    session.ok(&format!(
        "(swank:compile-string-for-emacs \"{text}\" \"conformance.lisp\" {POSITION} nil nil)"
    ))
}

fn compile_string(context: &Context) -> Result<(), String> {
    let mut session = session_with_contribs(context)?;
    let reply = compile(&mut session, "(defun conformance-one () 1)")?;
    let (notes, success) = compilation_result(session.value(reply))?;
    if !success || !notes.is_empty() {
        return Err(format!("a clean defun: {}", show(session.value(reply))));
    }
    let called = session.ok("(swank:interactive-eval \"(conformance-one)\")")?;
    if !session
        .value(called)
        .as_str()
        .is_some_and(|text| text.starts_with("=> 1"))
    {
        return Err(format!(
            "the defun was not installed: {}",
            show(session.value(called))
        ));
    }
    let reply = compile(
        &mut session,
        "(defun conformance-two () (conformance-undefined-xyz))",
    )?;
    let (notes, success) = compilation_result(session.value(reply))?;
    if !success || notes.len() != 1 {
        return Err(format!(
            "a call of an undefined function is one note and success: {}",
            show(session.value(reply))
        ));
    }
    Ok(())
}

fn compile_string_truncated(context: &Context) -> Result<(), String> {
    let mut session = session_with_contribs(context)?;
    let reply = compile(&mut session, "(defun conformance-three () (")?;
    let (notes, success) = compilation_result(session.value(reply))?;
    if success || notes.is_empty() {
        return Err(format!(
            "a form cut short must fail with a note, got {}",
            show(session.value(reply))
        ));
    }
    Ok(())
}

/// M-. answers `((LABEL LOCATION) ...)`; describe answers a string.
fn definitions_and_describe(context: &Context) -> Result<(), String> {
    let mut session = session_with_contribs(context)?;
    compile(&mut session, "(defun conformance-four () 4)")?;
    let reply = session.ok("(swank:find-definitions-for-emacs \"conformance-four\")")?;
    let definitions = elements(session.value(reply)).ok_or("not a list")?;
    if definitions.is_empty() {
        return Err("no definition found for a function compiled just before".into());
    }
    for definition in definitions {
        match elements(definition).unwrap_or_default().as_slice() {
            [label, location] if label.is_string() => check_location(location)?,
            _ => {
                return Err(format!(
                    "a definition must be (LABEL LOCATION): {}",
                    show(definition)
                ));
            }
        }
    }
    let reply = session.ok("(swank:describe-symbol \"car\")")?;
    if !session.value(reply).is_string() {
        return Err(format!(
            "describe-symbol gave {}",
            show(session.value(reply))
        ));
    }
    let reply = session.ok("(swank:buffer-first-change \"/tmp/conformance.lisp\")")?;
    if shapes::is_nil(session.value(reply)) {
        Ok(())
    } else {
        Err(format!(
            "buffer-first-change gave {}",
            show(session.value(reply))
        ))
    }
}
