//! Property resolution: the property paths a rule reads, resolved against a shape of
//! its entity type. Two shapes answer: the schema of a type the collectors build
//! ([`crate::entity::schema`], statically, by the checker), and for any other type the
//! paths its entities have in a snapshot ([`EntityGraph::schema`], as a warning of the
//! run). Inside `with [..]` / `contain [..]` a path is relative to the list's elements,
//! as the evaluator reads it (`path.rs`).

use super::check::{CheckError, Detail};
use crate::entity::graph::EntityGraph;
use crate::entity::schema::{self, Field, PropType};
use crate::lang::ast::{Expr, ExprKind, Ident, Postfix, Rule, Subject, Term};
use crate::span::Span;
use std::collections::BTreeSet;

/// What a rule reads, step by step, answered by a shape.
trait Shape: Clone {
    /// One property step; `Err` says why it does not exist.
    fn field(&self, name: &str) -> Result<Self, Miss>;
    /// What a list operator's predicate sees: the elements.
    fn elements(&self) -> Self;
    /// The path reached, in schema notation (`metricFilters[].filterPattern`).
    fn at(&self) -> &str;
}

/// Why a step found nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// The properties that exist where the step was taken, sorted.
    pub candidates: Vec<String>,
    /// The value there is a scalar of this type (it has no properties).
    pub scalar: Option<String>,
}

/// A property path of a rule that its entity type does not have.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    /// The path up to and including the missing property, in schema notation
    /// (`status.isloging`, `metricFilters[].filterPatern`).
    pub path: String,
    /// Where the object holding it is (`status`; empty for the entity itself).
    pub parent: String,
    /// The missing property as written.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// Why.
    pub miss: Miss,
}

impl Unresolved {
    /// The closest existing property (`did you mean`).
    pub fn suggestion(&self) -> Option<&str> {
        crate::text::closest(&self.name, self.miss.candidates.iter().map(String::as_str))
    }

    /// The help line: the suggestion, then what exists there (at most 12 names).
    pub fn help(&self, source: &str) -> String {
        let mut help = match self.suggestion() {
            Some(s) => format!("did you mean `{s}`? "),
            None => String::new(),
        };
        let at = if self.parent.is_empty() {
            String::new()
        } else {
            format!(" of `{}`", self.parent)
        };
        if let Some(scalar) = &self.miss.scalar {
            help.push_str(&format!(
                "`{}` is a {scalar}: it has no properties",
                self.parent
            ));
        } else if self.miss.candidates.is_empty() {
            help.push_str(&format!("no properties{at} are known ({source})"));
        } else {
            let shown: Vec<&str> = self
                .miss
                .candidates
                .iter()
                .take(12)
                .map(String::as_str)
                .collect();
            let more = match self.miss.candidates.len().saturating_sub(12) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            help.push_str(&format!(
                "properties{at}: {}{more} ({source})",
                shown.join(", ")
            ));
        }
        help
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The static schema of a known type.
#[derive(Clone)]
struct Static {
    ty: PropType,
    at: String,
}

impl Shape for Static {
    fn field(&self, name: &str) -> Result<Self, Miss> {
        // Through lists the path names the elements' property: `metricFilters[].x`.
        let mut at = self.at.clone();
        let mut ty = self.ty;
        while let PropType::List(e) = ty {
            at.push_str("[]");
            ty = *e;
        }
        match ty.field(name) {
            Field::Found(ty) => Ok(Static {
                ty,
                at: join(&at, name),
            }),
            Field::Unknown(props) => {
                let mut candidates: Vec<String> =
                    props.iter().map(|p| p.name.to_string()).collect();
                candidates.sort();
                Err(Miss {
                    candidates,
                    scalar: None,
                })
            }
            Field::Scalar(t) => Err(Miss {
                candidates: Vec::new(),
                scalar: Some(t.describe()),
            }),
        }
    }

    fn elements(&self) -> Self {
        match self.ty {
            PropType::List(e) => Static {
                ty: *e,
                at: format!("{}[]", self.at),
            },
            _ => self.clone(),
        }
    }

    fn at(&self) -> &str {
        &self.at
    }
}

/// The paths the entities of a type have in a snapshot.
#[derive(Clone)]
struct Seen<'s> {
    paths: &'s BTreeSet<String>,
    at: String,
}

impl Seen<'_> {
    fn is_list(&self, at: &str) -> bool {
        let list = format!("{at}[]");
        self.paths
            .range(list.clone()..)
            .next()
            .is_some_and(|p| p.starts_with(&list))
    }

    fn children(&self, at: &str) -> Vec<String> {
        let prefix = if at.is_empty() {
            String::new()
        } else {
            format!("{at}.")
        };
        self.paths
            .range(prefix.clone()..)
            .take_while(|p| p.starts_with(&prefix))
            .map(|p| &p[prefix.len()..])
            .filter(|rest| !rest.is_empty() && !rest.contains(['.', '[']))
            .map(str::to_string)
            .collect()
    }
}

impl Shape for Seen<'_> {
    fn field(&self, name: &str) -> Result<Self, Miss> {
        let mut at = self.at.clone();
        let mut candidates = BTreeSet::new();
        loop {
            let path = join(&at, name);
            if self.paths.contains(&path) {
                return Ok(Seen {
                    paths: self.paths,
                    at: path,
                });
            }
            candidates.extend(self.children(&at));
            if !self.is_list(&at) {
                break;
            }
            at.push_str("[]");
        }
        Err(Miss {
            candidates: candidates.into_iter().collect(),
            scalar: None,
        })
    }

    fn elements(&self) -> Self {
        if self.is_list(&self.at) {
            Seen {
                paths: self.paths,
                at: format!("{}[]", self.at),
            }
        } else {
            self.clone()
        }
    }

    fn at(&self) -> &str {
        &self.at
    }
}

struct Walk {
    list_rule: bool,
    found: Vec<Unresolved>,
}

impl Walk {
    fn expr<S: Shape>(&mut self, e: &Expr, ctx: &S, top: bool) {
        match &e.kind {
            ExprKind::Or(a, b) | ExprKind::And(a, b) => {
                self.expr(a, ctx, top);
                self.expr(b, ctx, top);
            }
            ExprKind::Not(a) => self.expr(a, ctx, top),
            ExprKind::Term(t) => self.term(t, ctx, top),
        }
    }

    fn path<S: Shape>(&mut self, segs: &[Ident], ctx: &S) -> Option<S> {
        let mut cur = ctx.clone();
        for seg in segs {
            match cur.field(&seg.name) {
                Ok(next) => cur = next,
                Err(miss) => {
                    self.found.push(Unresolved {
                        path: join(cur.at(), &seg.name),
                        parent: cur.at().to_string(),
                        name: seg.name.clone(),
                        span: seg.span,
                        miss,
                    });
                    return None;
                }
            }
        }
        Some(cur)
    }

    fn term<S: Shape>(&mut self, t: &Term, ctx: &S, top: bool) {
        let mut cur = match &t.subject {
            Subject::Path(p) => {
                let segs = &p.segments[..];
                // The test object of a `List<X>` rule is `{items: [..]}`: `items` holds
                // the entities (another first property is the checker's
                // `list_property` error).
                let segs = match segs.split_first() {
                    Some((first, rest)) if top && self.list_rule => {
                        if first.name != "items" {
                            return;
                        }
                        rest
                    }
                    _ => segs,
                };
                match self.path(segs, ctx) {
                    Some(cur) => cur,
                    None => return,
                }
            }
            Subject::Element(_) => ctx.clone(),
        };
        for pf in &t.postfix {
            match pf {
                Postfix::ListOp { predicate, .. } => {
                    let elements = cur.elements();
                    self.expr(predicate, &elements, false);
                    cur = elements;
                }
                // Builtins yield numbers and booleans: nothing to resolve after them.
                Postfix::Call { .. } => return,
            }
        }
    }
}

fn walk<S: Shape>(rule: &Rule, root: S) -> Vec<Unresolved> {
    let mut w = Walk {
        list_rule: rule.target.list,
        found: Vec::new(),
    };
    if let Some(f) = &rule.target.filter {
        w.expr(f, &root, true);
    }
    if let Some(v) = &rule.verdict {
        w.expr(&v.condition, &root, true);
    }
    w.found
}

/// The paths of `rule` that the schema of its (known) entity type does not have;
/// empty for a type the collectors do not build.
pub fn unknown_properties(rule: &Rule) -> Vec<Unresolved> {
    match schema::entity_schema(&rule.target.entity.name) {
        Some(s) => walk(
            rule,
            Static {
                ty: s.ty(),
                at: String::new(),
            },
        ),
        None => Vec::new(),
    }
}

/// The paths (schema notation) that the entities of `type_name` have in `graph`.
pub fn seen_paths(graph: &EntityGraph, type_name: &str) -> BTreeSet<String> {
    graph
        .schema(type_name)
        .into_iter()
        .map(|p| p.path)
        .collect()
}

/// The paths of `rule` that no entity in `paths` (from [`seen_paths`]) has.
pub fn unseen_properties(rule: &Rule, paths: &BTreeSet<String>) -> Vec<Unresolved> {
    walk(
        rule,
        Seen {
            paths,
            at: String::new(),
        },
    )
}

/// A property path of a rule over a type of one's own that no entity of the type has
/// in the snapshot: a warning of the run (an error with `--strict`).
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("no `{entity}` entity in the snapshot has `{path}`")]
#[diagnostic(code(gsl::eval::unseen_property), severity(Warning))]
pub struct UnseenProperty {
    /// The entity type as written in the rule.
    pub entity: String,
    /// The path (schema notation).
    pub path: String,
    #[help]
    help: String,
    #[label("on no entity of the snapshot")]
    span: miette::SourceSpan,
    #[source_code]
    src: miette::NamedSource<String>,
}

impl UnseenProperty {
    /// The warning for `u`, a path of the rule `source` (named `origin`) over `entity`.
    pub fn new(u: &Unresolved, entity: &str, source: &str, origin: &str) -> Self {
        UnseenProperty {
            entity: entity.to_string(),
            path: u.path.clone(),
            help: u.help(&format!(
                "seen on the snapshot's {entity} entities; `:schema {entity}` in `gsl repl` lists them"
            )),
            span: u.span.into(),
            src: miette::NamedSource::new(origin, source.to_string()),
        }
    }
}

/// The static errors of a rule's entity type and properties: a name that is not a
/// known type but close to one (`CloudTrial`), and, over a known type, every property
/// path its schema does not have.
pub(super) fn check_errors(rule: &Rule) -> Vec<CheckError> {
    let entity = &rule.target.entity;
    if let Some(near) = schema::near_type(&entity.name) {
        let known: Vec<&str> = schema::known_types().iter().map(|s| s.name).collect();
        return vec![CheckError::UnknownType(Detail {
            message: format!("unknown entity type `{}`", entity.name),
            help: format!(
                "did you mean `{near}`? the collectors build {} (docs/entities.md); a type of your own must not be spelt this close to one of them",
                known.join(", ")
            ),
            span: entity.span,
            label: "not an entity type".into(),
        })];
    }
    let Some(s) = schema::entity_schema(&entity.name) else {
        return Vec::new();
    };
    let source = format!("the {} schema, docs/entities.md", s.name);
    unknown_properties(rule)
        .into_iter()
        .map(|u| {
            CheckError::UnknownProperty(Detail {
                message: match &u.miss.scalar {
                    Some(t) => format!(
                        "`{}` of `{}` is a {t}; it has no property `{}`",
                        u.parent, s.name, u.name
                    ),
                    None => format!("`{}` has no property `{}`", s.name, u.path),
                },
                help: u.help(&source),
                span: u.span,
                label: format!("not a property of {}", s.name),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::parser::parse_rule;

    fn unknown(rule: &str) -> Vec<(String, Option<String>)> {
        unknown_properties(&parse_rule(rule).unwrap())
            .into_iter()
            .map(|u| (u.path.clone(), u.suggestion().map(str::to_string)))
            .collect()
    }

    #[test]
    fn known_types_resolve_through_lists_and_brackets() {
        assert!(unknown("CloudTrail should have status.isLogging = true and metricFilters with [filterPattern like '%' and metricTransformations contain [alarms contain [actions contain [subscriptions contain [pendingConfirmation = false]]]]] length() > 0").is_empty());
        assert!(unknown("CloudTrail should have metricFilters.metricTransformations.alarms.name = 'x' and eventSelectors contain [dataResources contain [values contain [$ like 'arn:%']]]").is_empty());
        assert!(unknown(
            "List<CloudTrail> should have items with [isMultiRegionTrail = true] length() > 0"
        )
        .is_empty());
        assert!(unknown(
            "MetricFilter should have metricTransformations contain [dimensions.anyName = '$.x']"
        )
        .is_empty());
        assert_eq!(
            unknown("CloudTrail should not have status.isloging = false"),
            vec![("status.isloging".into(), Some("isLogging".into()))]
        );
        assert_eq!(
            unknown("List<CloudTrail> should have items with [metricFilters with [filterPatern like '%']] length() > 0"),
            vec![("metricFilters[].filterPatern".into(), Some("filterPattern".into()))]
        );
        assert_eq!(
            unknown("CloudTrail where nmae = 'x' should have name.first"),
            vec![
                ("nmae".into(), Some("name".into())),
                ("name.first".into(), None)
            ]
        );
        // Other types: nothing static.
        assert!(unknown("Thing should have anything.at.all").is_empty());
    }

    #[test]
    fn snapshot_paths_resolve_the_same_way() {
        let paths: BTreeSet<String> = [
            "tags",
            "tags[].key",
            "tags[].value",
            "meta",
            "meta.owner",
            "xs",
            "xs[]",
        ]
        .into_iter()
        .map(str::to_string)
        .collect();
        let unseen = |rule: &str| -> Vec<(String, Option<String>)> {
            unseen_properties(&parse_rule(rule).unwrap(), &paths)
                .into_iter()
                .map(|u| (u.path.clone(), u.suggestion().map(str::to_string)))
                .collect()
        };
        assert!(unseen("Thing should have tags contain [key = 'a'] and tags.value = 'b' and meta.owner and xs contain [$ = 1]").is_empty());
        assert_eq!(
            unseen("Thing should have tags contain [kye = 'a'] and meta.ownr"),
            vec![
                ("tags[].kye".into(), Some("key".into())),
                ("meta.ownr".into(), Some("owner".into()))
            ]
        );
    }
}
