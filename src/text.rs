//! Text helpers shared by every module: "did you mean" suggestions and clipping
//! long text for messages. One home each, so every diagnostic suggests and shortens
//! the same way.

/// The candidate closest to `word`, if one is close enough to be what was meant.
///
/// A candidate equal to `word` up to ASCII case (and `_` written for `-`) wins
/// outright. Otherwise candidates within a small edit distance (Damerau-Levenshtein
/// on the lower-cased words: none for words of up to two characters, which are too
/// ambiguous to guess from, one for three or four, two beyond) or with a Jaro-Winkler
/// similarity of at least 0.85 (a shared prefix: `isMultiRegion` for
/// `isMultiRegionTrail`) qualify, and the nearest by edit distance, then by
/// similarity, is returned. `word` itself, if it is a candidate, is returned as is.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    if word.is_empty() {
        return None;
    }
    let normal = word.to_lowercase().replace('_', "-");
    let limit = match word.chars().count() {
        0..=2 => 0,
        3..=4 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, f64, &'c str)> = None;
    for c in candidates {
        if c == word {
            return Some(c);
        }
        let lower = c.to_lowercase();
        if lower.replace('_', "-") == normal {
            best = Some((0, 1.0, c));
            continue;
        }
        let d = strsim::damerau_levenshtein(&normal, &lower);
        let jw = strsim::jaro_winkler(&normal, &lower);
        let near = (d <= limit && d < c.chars().count().min(word.chars().count())) || jw >= 0.85;
        if near && best.is_none_or(|(bd, bj, _)| d < bd || (d == bd && jw > bj)) {
            best = Some((d, jw, c));
        }
    }
    best.map(|(_, _, c)| c)
}

/// "did you mean `x`?" for the [`closest`] candidate, if any.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// `s` cut to at most `max` characters, the last of which is `…` when it was cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_words_only() {
        let types = ["CloudTrail", "LogGroup", "SnsTopic"];
        assert_eq!(closest("CloudTrial", types), Some("CloudTrail"));
        assert_eq!(closest("cloudtrail", types), Some("CloudTrail"));
        assert_eq!(closest("Bucket", types), None);
        assert_eq!(closest("is", ["in", "on"]), None);
        assert_eq!(
            closest("contain_any", ["contain-any", "contain"]),
            Some("contain-any")
        );
        assert_eq!(
            closest("isMultiRegion", ["isMultiRegionTrail", "isLogging"]),
            Some("isMultiRegionTrail")
        );
        assert_eq!(
            did_you_mean("lenght", ["length"]).as_deref(),
            Some("did you mean `length`?")
        );
    }

    #[test]
    fn clips_by_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ééééé", 3), "éé…");
    }
}
