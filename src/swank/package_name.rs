//! Turning the PACKAGE field of a request into a package, the way swank's `guess-package` does.

use crate::lisp::image::Image;
use crate::lisp::package::PackageId;

/// The package Emacs named (`"COMMON-LISP-USER"`, `":cl-user"`, `"#:foo"`, `"\"FOO\""`, nil);
/// unknown names fall back to CL-USER so a request never fails because of its package.
pub fn guess_package(image: &Image, name: Option<&str>) -> PackageId {
    let Some(name) = name else {
        return image.pkg.cl_user;
    };
    let trimmed = name.trim();
    let without_prefix = trimmed
        .strip_prefix("#:")
        .or_else(|| trimmed.strip_prefix(':'))
        .unwrap_or(trimmed);
    let unquoted = without_prefix
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(without_prefix);
    let candidates = [
        unquoted.to_string(),
        unquoted.to_uppercase(),
        unquoted.replace('!', "-").to_uppercase(),
    ];
    candidates
        .iter()
        .find_map(|candidate| image.packages.find(candidate))
        .unwrap_or(image.pkg.cl_user)
}
