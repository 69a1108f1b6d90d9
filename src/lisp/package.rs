//! Packages: named symbol tables with `use` lists and exports.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::value::SymRef;

/// Index of a package in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PackageId(pub u32);

/// How a symbol is accessible in a package (`FIND-SYMBOL`'s second value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accessibility {
    Internal,
    External,
    Inherited,
}

#[derive(Debug, Default)]
pub struct Package {
    pub name: String,
    pub nicknames: Vec<String>,
    /// Symbols present in this package (interned or imported), by name.
    pub present: HashMap<Rc<str>, SymRef>,
    pub external: HashSet<Rc<str>>,
    pub uses: Vec<PackageId>,
    pub doc: Option<String>,
    /// Names made to shadow inherited symbols (`SHADOW`, `SHADOWING-IMPORT`).
    pub shadowing: Vec<Rc<str>>,
}

/// Every package, by id and by name.
#[derive(Debug, Default)]
pub struct Packages {
    list: Vec<Package>,
    by_name: HashMap<String, PackageId>,
}

impl Packages {
    pub fn create(&mut self, name: &str, nicknames: &[&str]) -> PackageId {
        if let Some(id) = self.by_name.get(name) {
            return *id;
        }
        let id = PackageId(self.list.len() as u32);
        self.list.push(Package {
            name: name.to_string(),
            nicknames: nicknames.iter().map(|n| n.to_string()).collect(),
            ..Default::default()
        });
        self.by_name.insert(name.to_string(), id);
        for nick in nicknames {
            self.by_name.insert(nick.to_string(), id);
        }
        id
    }

    pub fn add_nickname(&mut self, id: PackageId, nickname: &str) {
        self.by_name.insert(nickname.to_string(), id);
        if let Some(package) = self.list.get_mut(id.0 as usize)
            && !package.nicknames.iter().any(|n| n == nickname)
        {
            package.nicknames.push(nickname.to_string());
        }
    }

    /// Every package that has not been deleted.
    pub fn all(&self) -> impl Iterator<Item = &Package> {
        self.list
            .iter()
            .enumerate()
            .filter(|(index, package)| self.find(&package.name) == Some(PackageId(*index as u32)))
            .map(|(_, package)| package)
    }

    pub fn find(&self, name: &str) -> Option<PackageId> {
        self.by_name.get(name).copied()
    }

    pub fn get(&self, id: PackageId) -> &Package {
        &self.list[id.0 as usize]
    }

    pub fn get_mut(&mut self, id: PackageId) -> &mut Package {
        &mut self.list[id.0 as usize]
    }

    pub fn ids(&self) -> impl Iterator<Item = PackageId> + '_ {
        (0..self.list.len() as u32).map(PackageId)
    }

    pub fn use_package(&mut self, user: PackageId, used: PackageId) {
        let package = self.get_mut(user);
        if !package.uses.contains(&used) {
            package.uses.push(used);
        }
    }

    /// `FIND-SYMBOL`: present symbols first, then external symbols of used packages.
    pub fn find_symbol(&self, id: PackageId, name: &str) -> Option<(SymRef, Accessibility)> {
        let package = self.get(id);
        if let Some(sym) = package.present.get(name) {
            let access = if package.external.contains(name) {
                Accessibility::External
            } else {
                Accessibility::Internal
            };
            return Some((*sym, access));
        }
        package.uses.iter().find_map(|used| {
            let used = self.get(*used);
            if used.external.contains(name) {
                used.present
                    .get(name)
                    .map(|s| (*s, Accessibility::Inherited))
            } else {
                None
            }
        })
    }

    pub fn find_external(&self, id: PackageId, name: &str) -> Option<SymRef> {
        let package = self.get(id);
        if package.external.contains(name) {
            package.present.get(name).copied()
        } else {
            None
        }
    }

    pub fn add_present(&mut self, id: PackageId, name: Rc<str>, sym: SymRef) {
        self.get_mut(id).present.insert(name, sym);
    }

    pub fn export(&mut self, id: PackageId, name: Rc<str>) {
        self.get_mut(id).external.insert(name);
    }

    pub fn all_symbols(&self) -> impl Iterator<Item = SymRef> + '_ {
        self.list.iter().flat_map(|p| p.present.values().copied())
    }

    /// `USE-PACKAGE`: the newest used package comes first in the use list, as in SBCL.
    pub fn use_package_first(&mut self, user: PackageId, used: PackageId) {
        let package = self.get_mut(user);
        if !package.uses.contains(&used) {
            package.uses.insert(0, used);
        }
    }

    pub fn unuse_package(&mut self, user: PackageId, used: PackageId) {
        self.get_mut(user).uses.retain(|id| *id != used);
    }

    /// The packages that use `id`.
    pub fn used_by(&self, id: PackageId) -> Vec<PackageId> {
        self.ids()
            .filter(|user| self.is_live(*user) && self.get(*user).uses.contains(&id))
            .collect()
    }

    /// Whether `id` names a package that has not been deleted.
    pub fn is_live(&self, id: PackageId) -> bool {
        self.find(&self.get(id).name) == Some(id)
    }

    pub fn unexport(&mut self, id: PackageId, name: &str) {
        self.get_mut(id).external.remove(name);
    }

    /// Removes the symbol present under `name` (`UNINTERN`); returns it.
    pub fn remove_present(&mut self, id: PackageId, name: &str) -> Option<SymRef> {
        let package = self.get_mut(id);
        package.external.remove(name);
        package.shadowing.retain(|n| &**n != name);
        package.present.remove(name)
    }

    /// Gives a package a new name and nicknames (`RENAME-PACKAGE`).
    pub fn rename(&mut self, id: PackageId, name: &str, nicknames: &[String]) {
        let package = self.get(id);
        let old: Vec<String> = std::iter::once(package.name.clone())
            .chain(package.nicknames.iter().cloned())
            .collect();
        for old_name in old {
            if self.by_name.get(&old_name) == Some(&id) {
                self.by_name.remove(&old_name);
            }
        }
        let package = self.get_mut(id);
        package.name = name.to_string();
        package.nicknames = nicknames.to_vec();
        self.by_name.insert(name.to_string(), id);
        for nickname in nicknames {
            self.by_name.insert(nickname.clone(), id);
        }
    }

    pub fn delete(&mut self, id: PackageId) {
        let package = self.get_mut(id);
        package.present.clear();
        package.external.clear();
        let names: Vec<String> = std::iter::once(package.name.clone())
            .chain(package.nicknames.iter().cloned())
            .collect();
        for name in names {
            self.by_name.remove(&name);
        }
    }
}
