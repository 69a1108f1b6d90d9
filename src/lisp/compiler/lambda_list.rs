//! Ordinary lambda lists (`&optional`, `&rest`, `&key`, `&allow-other-keys`, `&aux`).

use super::super::error::{LispError, LispResult};
use super::super::value::{SymRef, Value};
use super::analyze::Analyzer;
use super::ir::{AuxVar, KeyParam, OptionalParam, Params, VarId};

#[derive(PartialEq, Clone, Copy)]
enum Section {
    Required,
    Optional,
    Rest,
    Key,
    Aux,
}

impl Analyzer<'_> {
    /// Analyzes a lambda list, binding each parameter in the current scope in order, so that
    /// default forms see the parameters before them. Special parameters are returned in
    /// `specials` for the caller to rebind dynamically.
    pub(super) fn parameters(
        &mut self,
        lambda_list: Value,
        local_specials: &[SymRef],
        specials: &mut Vec<(SymRef, VarId)>,
    ) -> LispResult<Params> {
        let items = self.list(lambda_list, "the lambda list")?;
        let s = self.image().sym;
        let mut params = Params::default();
        let mut section = Section::Required;
        let mut index = 0;
        while index < items.len() {
            let item = items[index];
            index += 1;
            if let Value::Symbol(sym) = item {
                let next = if sym == s.optional {
                    Some(Section::Optional)
                } else if sym == s.rest || sym == s.body {
                    Some(Section::Rest)
                } else if sym == s.key {
                    params.has_keys = true;
                    Some(Section::Key)
                } else if sym == s.aux {
                    Some(Section::Aux)
                } else if sym == s.allow_other_keys {
                    params.allow_other_keys = true;
                    continue;
                } else if sym == s.whole || sym == s.environment {
                    return Err(LispError::program(
                        "&WHOLE and &ENVIRONMENT are only allowed in macro lambda lists",
                    ));
                } else {
                    None
                };
                if let Some(next) = next {
                    section = next;
                    continue;
                }
            }
            match section {
                Section::Required => {
                    let sym = self.param_symbol(item)?;
                    let var = self.parameter_var(sym, local_specials, specials)?;
                    params.required.push(var);
                }
                Section::Optional => {
                    let (sym, default, supplied) = self.param_spec(item)?;
                    let default = self.form(default)?;
                    let var = self.parameter_var(sym, local_specials, specials)?;
                    let supplied = match supplied {
                        Some(sp) => Some(self.parameter_var(sp, local_specials, specials)?),
                        None => None,
                    };
                    params.optional.push(OptionalParam {
                        var,
                        default,
                        supplied,
                    });
                }
                Section::Rest => {
                    if params.rest.is_some() {
                        return Err(LispError::program("more than one &REST parameter"));
                    }
                    let sym = self.param_symbol(item)?;
                    params.rest = Some(self.parameter_var(sym, local_specials, specials)?);
                }
                Section::Key => {
                    let (keyword, sym, default, supplied) = self.key_spec(item)?;
                    let default = self.form(default)?;
                    let var = self.parameter_var(sym, local_specials, specials)?;
                    let supplied = match supplied {
                        Some(sp) => Some(self.parameter_var(sp, local_specials, specials)?),
                        None => None,
                    };
                    params.keys.push(KeyParam {
                        keyword,
                        var,
                        default,
                        supplied,
                    });
                }
                Section::Aux => {
                    let (sym, init, _) = self.param_spec(item)?;
                    let init = self.form(init)?;
                    let var = self.parameter_var(sym, local_specials, specials)?;
                    params.aux.push(AuxVar { var, init });
                }
            }
        }
        Ok(params)
    }

    fn param_symbol(&mut self, item: Value) -> LispResult<SymRef> {
        match item {
            Value::Symbol(sym) => Ok(sym),
            _ => {
                let text = super::super::print::prin1_to_string(self.image(), item);
                Err(LispError::program(format!(
                    "invalid lambda list element {text}"
                )))
            }
        }
    }

    /// `VAR` or `(VAR [DEFAULT [SUPPLIED-P]])`.
    fn param_spec(&mut self, item: Value) -> LispResult<(SymRef, Value, Option<SymRef>)> {
        if let Value::Symbol(sym) = item {
            return Ok((sym, Value::Nil, None));
        }
        let parts = self.list(item, "a parameter specification")?;
        let sym = self.param_symbol(parts.first().copied().unwrap_or(Value::Nil))?;
        let default = parts.get(1).copied().unwrap_or(Value::Nil);
        let supplied = match parts.get(2) {
            Some(v) => Some(self.param_symbol(*v)?),
            None => None,
        };
        Ok((sym, default, supplied))
    }

    /// `VAR`, `(VAR [DEFAULT [SUPPLIED-P]])` or `((KEYWORD VAR) [DEFAULT [SUPPLIED-P]])`.
    fn key_spec(&mut self, item: Value) -> LispResult<(SymRef, SymRef, Value, Option<SymRef>)> {
        let (head, default, supplied) = match item {
            Value::Symbol(_) => (item, Value::Nil, None),
            _ => {
                let parts = self.list(item, "a keyword parameter specification")?;
                let supplied = match parts.get(2) {
                    Some(v) => Some(self.param_symbol(*v)?),
                    None => None,
                };
                (
                    parts.first().copied().unwrap_or(Value::Nil),
                    parts.get(1).copied().unwrap_or(Value::Nil),
                    supplied,
                )
            }
        };
        match head {
            Value::Symbol(sym) => {
                let name = self.image().symbol_name(sym);
                let keyword = self.image().keyword(&name)?;
                Ok((keyword, sym, default, supplied))
            }
            _ => {
                let parts = self.list(head, "a (KEYWORD VAR) pair")?;
                let keyword = self.param_symbol(parts.first().copied().unwrap_or(Value::Nil))?;
                let sym = self.param_symbol(parts.get(1).copied().unwrap_or(Value::Nil))?;
                Ok((keyword, sym, default, supplied))
            }
        }
    }
}
