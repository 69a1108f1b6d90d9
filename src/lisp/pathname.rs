//! Pathnames as SBCL parses and prints Unix file names: a directory (absolute or relative,
//! a list of components), a name and a type; the host and device are always the local
//! file system. Parsing, printing back (`NAMESTRING`) and merging live here; the Lisp
//! functions are in `builtins/pathnames.rs`.

/// One component of a pathname's directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DirectoryPart {
    Name(String),
    /// `..`
    Up,
    /// `*`
    Wild,
    /// `**`
    WildInferiors,
    /// `~` as the first component: the user's home directory.
    Home,
}

/// A pathname's directory: `(:ABSOLUTE ...)` or `(:RELATIVE ...)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Directory {
    pub absolute: bool,
    pub parts: Vec<DirectoryPart>,
}

/// A name or type: text, or `*` (`:WILD`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    Text(String),
    Wild,
}

/// A pathname. `newest` stands for the version `:NEWEST`, which SBCL gives a parsed
/// pathname that has a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Pathname {
    pub directory: Option<Directory>,
    pub name: Option<Part>,
    pub kind: Option<Part>,
    pub newest: bool,
}

impl Pathname {
    /// Parses a Unix namestring as SBCL does: `/` separates directories (empty ones are
    /// dropped), a final component is the file, whose last dot (not a leading one) starts
    /// its type.
    pub fn parse(text: &str) -> Pathname {
        let absolute = text.starts_with('/');
        let mut segments: Vec<&str> = text.split('/').filter(|s| !s.is_empty()).collect();
        let file = if text.ends_with('/') {
            None
        } else {
            segments.pop()
        };
        let directory = if absolute || !segments.is_empty() {
            let mut directory = Directory {
                absolute,
                parts: Vec::new(),
            };
            for (index, segment) in segments.iter().enumerate() {
                let part = match *segment {
                    "~" if index == 0 && !absolute => {
                        directory.absolute = true;
                        DirectoryPart::Home
                    }
                    ".." => DirectoryPart::Up,
                    "*" => DirectoryPart::Wild,
                    "**" => DirectoryPart::WildInferiors,
                    other => DirectoryPart::Name(other.to_string()),
                };
                directory.parts.push(part);
            }
            Some(directory)
        } else {
            None
        };
        let (name, kind) = match file {
            None => (None, None),
            Some(file) => match file.rfind('.') {
                Some(dot) if dot > 0 => (Some(part(&file[..dot])), Some(part(&file[dot + 1..]))),
                _ => (Some(part(file)), None),
            },
        };
        let newest = name.is_some();
        Pathname {
            directory,
            name,
            kind,
            newest,
        }
    }

    /// The namestring: what `PARSE` reads back as this pathname.
    pub fn namestring(&self) -> String {
        let mut text = self.directory_namestring();
        text.push_str(&self.file_namestring());
        text
    }

    /// The directory part of the namestring, ending in `/` (empty without a directory).
    pub fn directory_namestring(&self) -> String {
        let mut text = String::new();
        let Some(directory) = &self.directory else {
            return text;
        };
        if directory.absolute && directory.parts.first() != Some(&DirectoryPart::Home) {
            text.push('/');
        }
        for part in &directory.parts {
            text.push_str(match part {
                DirectoryPart::Name(name) => name,
                DirectoryPart::Up => "..",
                DirectoryPart::Wild => "*",
                DirectoryPart::WildInferiors => "**",
                DirectoryPart::Home => "~",
            });
            text.push('/');
        }
        text
    }

    /// The name and type part of the namestring.
    pub fn file_namestring(&self) -> String {
        let mut text = String::new();
        if let Some(name) = &self.name {
            text.push_str(part_text(name));
        }
        if let Some(kind) = &self.kind {
            text.push('.');
            text.push_str(part_text(kind));
        }
        text
    }

    /// `MERGE-PATHNAMES`: the missing components taken from `defaults`; a relative
    /// directory is appended to the defaults' directory.
    pub fn merge(&self, defaults: &Pathname) -> Pathname {
        let directory = match (&self.directory, &defaults.directory) {
            (None, inherited) => inherited.clone(),
            (Some(own), Some(base)) if !own.absolute => {
                let mut merged = base.clone();
                merged.parts.extend(own.parts.iter().cloned());
                Some(merged)
            }
            (own, _) => own.clone(),
        };
        let name = self.name.clone().or_else(|| defaults.name.clone());
        Pathname {
            directory,
            kind: self.kind.clone().or_else(|| defaults.kind.clone()),
            newest: if self.name.is_some() {
                true
            } else {
                defaults.newest || (self.newest && name.is_some())
            },
            name,
        }
    }

    /// `ENOUGH-NAMESTRING`'s pathname: relative to `defaults` when its directory starts with
    /// theirs, else itself.
    pub fn enough(&self, defaults: &Pathname) -> Pathname {
        match (&self.directory, &defaults.directory) {
            (Some(own), Some(base))
                if own.absolute == base.absolute && own.parts.starts_with(&base.parts) =>
            {
                let rest = own.parts[base.parts.len()..].to_vec();
                Pathname {
                    directory: (!rest.is_empty()).then_some(Directory {
                        absolute: false,
                        parts: rest,
                    }),
                    ..self.clone()
                }
            }
            _ => self.clone(),
        }
    }

    /// Whether any component is `*` or `**`.
    pub fn is_wild(&self) -> bool {
        let wild_directory = self.directory.as_ref().is_some_and(|directory| {
            directory
                .parts
                .iter()
                .any(|part| matches!(part, DirectoryPart::Wild | DirectoryPart::WildInferiors))
        });
        wild_directory || self.name == Some(Part::Wild) || self.kind == Some(Part::Wild)
    }
}

fn part(text: &str) -> Part {
    if text == "*" {
        Part::Wild
    } else {
        Part::Text(text.to_string())
    }
}

fn part_text(part: &Part) -> &str {
    match part {
        Part::Text(text) => text,
        Part::Wild => "*",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A namestring, its directory, name and type as SBCL reports them, and its namestring
    /// printed back.
    type Case = (
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
    );

    #[test]
    fn parses_and_prints_as_sbcl_does() {
        let cases: [Case; 9] = [
            ("/a/b/c.txt", "/a/b/", Some("c"), Some("txt"), "/a/b/c.txt"),
            ("a/b/", "a/b/", None, None, "a/b/"),
            ("c.tar.gz", "", Some("c.tar"), Some("gz"), "c.tar.gz"),
            (".bashrc", "", Some(".bashrc"), None, ".bashrc"),
            ("foo.", "", Some("foo"), Some(""), "foo."),
            (
                "../x/y.lisp",
                "../x/",
                Some("y"),
                Some("lisp"),
                "../x/y.lisp",
            ),
            ("a//b", "a/", Some("b"), None, "a/b"),
            ("~/x", "~/", Some("x"), None, "~/x"),
            (
                "/var/log/*.log",
                "/var/log/",
                Some("*"),
                Some("log"),
                "/var/log/*.log",
            ),
        ];
        for (text, directory, name, kind, printed) in cases {
            let pathname = Pathname::parse(text);
            assert_eq!(pathname.directory_namestring(), directory, "{text}");
            assert_eq!(pathname.name.as_ref().map(part_text), name, "{text}");
            assert_eq!(pathname.kind.as_ref().map(part_text), kind, "{text}");
            assert_eq!(pathname.namestring(), printed, "{text}");
        }
        assert_eq!(Pathname::parse(""), Pathname::default());
        assert!(Pathname::parse("/x/*.log").is_wild());
    }

    #[test]
    fn merging_fills_in_what_is_missing() {
        let merge = |a: &str, b: &str| Pathname::parse(a).merge(&Pathname::parse(b)).namestring();
        assert_eq!(merge("data.txt", "/srv/app/main.lisp"), "/srv/app/data.txt");
        assert_eq!(merge("sub/data.txt", "/srv/app/"), "/srv/app/sub/data.txt");
        assert_eq!(merge("../data.txt", "/srv/app/"), "/srv/app/../data.txt");
        assert_eq!(merge("data", "/x/y.txt"), "/x/data.txt");
        assert_eq!(merge("/abs/z", "/x/y.txt"), "/abs/z.txt");
        let enough = |a: &str, b: &str| Pathname::parse(a).enough(&Pathname::parse(b)).namestring();
        assert_eq!(enough("/a/b/c.txt", "/a/"), "b/c.txt");
        assert_eq!(enough("/a/c.txt", "/a/"), "c.txt");
        assert_eq!(enough("/x/c.txt", "/a/"), "/x/c.txt");
    }
}
