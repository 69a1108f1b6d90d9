//! The shapes Emacs (SLIME 2.27) accepts from a server, as checks on received data. Each
//! check says what Emacs would do with a wrong shape, so a failure explains itself. Sources:
//! the protocol brief's sections 0, 4 and 5, and `slime.el` (`slime-dispatch-event`,
//! `slime-set-connection-info`).

use lexpr::Value;

use crate::wire::printer::print;
use crate::wire::value::list_elements;

/// The events some part of SLIME 2.27 (core or a contrib) dispatches on. Anything else is
/// "slime-dcase failed" in Emacs.
const KNOWN_EVENTS: &[&str] = &[
    "return",
    "write-string",
    "presentation-start",
    "presentation-end",
    "new-package",
    "debug",
    "debug-activate",
    "debug-return",
    "debug-condition",
    "ping",
    "reader-error",
    "invalid-rpc",
    "indentation-update",
    "new-features",
    "read-string",
    "read-aborted",
    "read-from-minibuffer",
    "y-or-n-p",
    "eval",
    "eval-no-wait",
    "ed",
    "inspect",
    "background-message",
    "channel-send",
    "open-dedicated-output-stream",
    "test-delay",
];

/// How a request ended.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    Ok(&'a Value),
    Abort(&'a str),
}

/// A `:debug` event, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debug {
    pub thread: i64,
    pub level: i64,
    /// `(NAME DESCRIPTION)` of each restart, in order.
    pub restarts: Vec<(String, String)>,
    /// The request ids waiting on this level.
    pub continuations: Vec<i64>,
}

impl Debug {
    /// The index of the first restart whose name is `name` (ignoring a leading `*`, which
    /// marks the default restart).
    pub fn restart_named(&self, name: &str) -> Option<usize> {
        self.restarts
            .iter()
            .position(|(restart, _)| restart.trim_start_matches('*') == name)
    }
}

/// The data as it travelled, shortened, for failure messages.
pub fn show(value: &Value) -> String {
    let text = print(value);
    if text.chars().count() > 300 {
        format!("{}...", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

pub fn elements(value: &Value) -> Option<Vec<&Value>> {
    list_elements(value)
}

pub fn is_nil(value: &Value) -> bool {
    matches!(value, Value::Nil | Value::Null)
}

/// The event's name: the keyword heading a message.
pub fn event_name(message: &Value) -> Option<&str> {
    match message {
        Value::Cons(pair) => pair.car().as_keyword(),
        _ => None,
    }
}

/// Checks a message is one Emacs can dispatch, and the shape of those whose shape this kit
/// knows Emacs checks.
pub fn check_event(message: &Value) -> Result<(), String> {
    let name = event_name(message)
        .ok_or_else(|| format!("not an event (no leading keyword): {}", show(message)))?;
    if !KNOWN_EVENTS.contains(&name) {
        return Err(format!(
            "unknown event :{name}; Emacs says \"slime-dcase failed\": {}",
            show(message)
        ));
    }
    let items = elements(message)
        .ok_or_else(|| format!("an event must be a proper list: {}", show(message)))?;
    let arguments = items.get(1..).unwrap_or_default();
    match name {
        "return" => check_return_shape(arguments).map(|_| ()),
        "write-string" => check_write_string(arguments),
        "debug" => check_debug(message).map(|_| ()),
        "debug-activate" | "debug-return" => check_debug_level_event(name, arguments),
        "new-package" => match arguments {
            [package, prompt] if package.is_string() && prompt.is_string() => Ok(()),
            _ => Err(format!(
                "(:new-package NAME PROMPT) needs two strings: {}",
                show(message)
            )),
        },
        "reader-error" => match arguments {
            [packet, reason] if packet.is_string() && reason.is_string() => Ok(()),
            _ => Err(format!(
                "(:reader-error PACKET MESSAGE) needs two strings: {}",
                show(message)
            )),
        },
        "invalid-rpc" => match arguments {
            [id, reason] if id.as_i64().is_some() && reason.is_string() => Ok(()),
            _ => Err(format!(
                "(:invalid-rpc ID MESSAGE) needs an integer and a string: {}",
                show(message)
            )),
        },
        _ => Ok(()),
    }
}

/// `(:return (:ok VALUE) ID)` or `(:return (:abort STRING) ID)` exactly: Emacs errors on
/// `(:ok)`, `(:abort)` and extra elements (brief, 0.7). Returns the id and the outcome.
pub fn check_return(message: &Value) -> Result<(i64, Outcome<'_>), String> {
    let items = elements(message).unwrap_or_default();
    match items.split_first() {
        Some((head, arguments)) if head.as_keyword() == Some("return") => {
            check_return_shape(arguments)
        }
        _ => Err(format!("not a :return: {}", show(message))),
    }
}

fn check_return_shape<'a>(arguments: &[&'a Value]) -> Result<(i64, Outcome<'a>), String> {
    let [result, id] = arguments else {
        return Err(format!(
            ":return takes exactly (RESULT ID), got {} elements",
            arguments.len()
        ));
    };
    let id = id
        .as_i64()
        .ok_or_else(|| format!("the :return id is not an integer: {}", show(id)))?;
    let result_items = elements(result).unwrap_or_default();
    let outcome = match result_items.as_slice() {
        [kind, value] if kind.as_keyword() == Some("ok") => Outcome::Ok(value),
        [kind, reason] if kind.as_keyword() == Some("abort") => match reason.as_str() {
            Some(text) => Outcome::Abort(text),
            None => {
                return Err(format!(
                    "(:abort REASON) must carry a string, got {}",
                    show(reason)
                ));
            }
        },
        _ => {
            return Err(format!(
                "the result must be (:ok VALUE) or (:abort STRING), got {}",
                show(result)
            ));
        }
    };
    Ok((id, outcome))
}

/// `(:write-string STRING)` or `(:write-string STRING :repl-result)`; SLIME 2.27 errors on a
/// third element (brief, section 10).
fn check_write_string(arguments: &[&Value]) -> Result<(), String> {
    match arguments {
        [text] if text.is_string() => Ok(()),
        [text, target] if text.is_string() && target.as_keyword() == Some("repl-result") => Ok(()),
        _ => Err(format!(
            "(:write-string STRING [:repl-result]) expected, got {} arguments",
            arguments.len()
        )),
    }
}

fn check_debug_level_event(name: &str, arguments: &[&Value]) -> Result<(), String> {
    match arguments {
        [thread, level, _flag] if thread.as_i64().is_some() && level.as_i64().is_some() => Ok(()),
        _ => Err(format!(
            "(:{name} THREAD LEVEL FLAG) expected, got {} arguments",
            arguments.len()
        )),
    }
}

/// `(:debug THREAD LEVEL (MESSAGE TYPE EXTRAS) RESTARTS FRAMES CONTINUATIONS)`, each part as
/// `sldb-setup` destructures it.
pub fn check_debug(message: &Value) -> Result<Debug, String> {
    let items = elements(message).unwrap_or_default();
    let [
        head,
        thread,
        level,
        condition,
        restarts,
        frames,
        continuations,
    ] = items.as_slice()
    else {
        return Err(format!(
            ":debug takes 6 arguments, got {}: {}",
            items.len().saturating_sub(1),
            show(message)
        ));
    };
    if head.as_keyword() != Some("debug") {
        return Err(format!("not a :debug: {}", show(message)));
    }
    let (Some(thread), Some(level)) = (thread.as_i64(), level.as_i64()) else {
        return Err(format!(
            "THREAD and LEVEL must be integers: {}",
            show(message)
        ));
    };
    match elements(condition).unwrap_or_default().as_slice() {
        [text, kind, _extras] if text.is_string() && kind.is_string() => {}
        _ => {
            return Err(format!(
                "the condition must be (MESSAGE TYPE EXTRAS) with two strings: {}",
                show(condition)
            ));
        }
    }
    let mut named = Vec::new();
    for restart in elements(restarts).unwrap_or_default() {
        match elements(restart).unwrap_or_default().as_slice() {
            [name, description] => match (name.as_str(), description.as_str()) {
                (Some(name), Some(description)) => {
                    named.push((name.to_string(), description.to_string()))
                }
                _ => return Err(format!("a restart must be two strings: {}", show(restart))),
            },
            _ => {
                return Err(format!(
                    "a restart must be (NAME DESCRIPTION): {}",
                    show(restart)
                ));
            }
        }
    }
    for frame in
        elements(frames).ok_or_else(|| format!("FRAMES must be a list: {}", show(frames)))?
    {
        check_frame(frame)?;
    }
    let mut ids = Vec::new();
    for id in elements(continuations)
        .ok_or_else(|| format!("CONTINUATIONS must be a list: {}", show(continuations)))?
    {
        ids.push(
            id.as_i64()
                .ok_or_else(|| format!("a continuation must be an integer: {}", show(id)))?,
        );
    }
    Ok(Debug {
        thread,
        level,
        restarts: named,
        continuations: ids,
    })
}

/// `(INDEX DESCRIPTION [PLIST])`, as the backtrace is drawn.
pub fn check_frame(frame: &Value) -> Result<(), String> {
    match elements(frame).unwrap_or_default().as_slice() {
        [index, description] | [index, description, _]
            if index.as_i64().is_some() && description.is_string() =>
        {
            Ok(())
        }
        _ => Err(format!(
            "a frame must be (INDEX STRING [PLIST]): {}",
            show(frame)
        )),
    }
}

/// The values of a property list whose keys are all in `allowed` and include `required`. An
/// unknown key fails when the plist is destructured without `&allow-other-keys`.
pub fn plist<'a>(
    what: &str,
    value: &'a Value,
    allowed: Option<&[&str]>,
    required: &[&str],
) -> Result<Vec<(&'a str, &'a Value)>, String> {
    let items = elements(value).ok_or_else(|| format!("{what} must be a list: {}", show(value)))?;
    if items.len() % 2 != 0 {
        return Err(format!(
            "{what} has an odd number of elements: {}",
            show(value)
        ));
    }
    let mut pairs = Vec::new();
    for pair in items.chunks(2) {
        let [key, item] = pair else { continue };
        let key = key
            .as_keyword()
            .ok_or_else(|| format!("{what}: {} is not a keyword", show(key)))?;
        if let Some(allowed) = allowed {
            if !allowed.contains(&key) {
                return Err(format!(
                    "{what} has the key :{key}, which Emacs destructures without \
                     &allow-other-keys (an Emacs error)"
                ));
            }
        }
        pairs.push((key, *item));
    }
    for key in required {
        if !pairs.iter().any(|(name, _)| name == key) {
            return Err(format!("{what} lacks :{key}"));
        }
    }
    Ok(pairs)
}

/// The value of `key` in checked plist pairs.
pub fn get<'a>(pairs: &[(&str, &'a Value)], key: &str) -> Option<&'a Value> {
    pairs
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, value)| *value)
}

/// A proper list of strings.
pub fn strings(what: &str, value: &Value) -> Result<Vec<String>, String> {
    elements(value)
        .ok_or_else(|| format!("{what} must be a list: {}", show(value)))?
        .into_iter()
        .map(|item| {
            item.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{what} must hold only strings: {}", show(value)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::reader::read_datum;

    fn datum(text: &str) -> Value {
        read_datum(text, &crate::wire::reader::ReaderLimits::default()).unwrap()
    }

    #[test]
    fn return_shapes_are_exact() {
        assert!(check_return(&datum("(:return (:ok 3) 7)")).is_ok());
        assert!(check_return(&datum("(:return (:abort \"x\") 7)")).is_ok());
        for wrong in [
            "(:return (:ok) 7)",
            "(:return (:abort) 7)",
            "(:return (:abort nil) 7)",
            "(:return (:ok 1) 7 8)",
            "(:return (:ok 1) x)",
            "(:RETURN (:OK NIL) 7)",
        ] {
            assert!(check_event(&datum(wrong)).is_err(), "{wrong}");
        }
    }

    #[test]
    fn events_emacs_cannot_dispatch_fail() {
        assert!(check_event(&datum("(:write-string \"a\" :repl-result)")).is_ok());
        assert!(check_event(&datum("(:write-string \"a\" :repl-result 3)")).is_err());
        assert!(check_event(&datum("(:frobnicate 1)")).is_err());
        assert!(check_event(&datum("(:new-package \"A\")")).is_err());
    }

    #[test]
    fn debug_events_are_checked_part_by_part() {
        let good = "(:debug 3 1 (\"boom\" \"   [Condition of type E]\" nil) \
                    ((\"*ABORT\" \"Return to SLIME's top level.\")) \
                    ((0 \"(F)\" (:restartable t)) (1 \"(G)\")) (5))";
        let debug = check_debug(&datum(good)).unwrap();
        assert_eq!(debug.restart_named("ABORT"), Some(0));
        assert_eq!(debug.continuations, vec![5]);
        let bad_frame = good.replace("(1 \"(G)\")", "(\"one\" \"(G)\")");
        assert!(check_debug(&datum(&bad_frame)).is_err());
        let bad_restart = good.replace("(\"*ABORT\" ", "(ABORT ");
        assert!(check_debug(&datum(&bad_restart)).is_err());
    }

    #[test]
    fn plists_refuse_unknown_keys_where_emacs_does() {
        let value = datum("(:type \"SBCL\" :flavour \"x\")");
        assert!(plist("impl", &value, Some(&["type"]), &[]).is_err());
        assert!(plist("impl", &value, None, &["type"]).is_ok());
        assert!(plist("impl", &value, None, &["name"]).is_err());
    }
}
