// Copyright 2017 1aim GmbH
//
// Permission is hereby granted, free of charge, to any person obtaining a copy of
// this software and associated documentation files (the "Software"), to deal in
// the Software without restriction, including without limitation the rights to
// use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
// of the Software, and to permit persons to whom the Software is furnished to do
// so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, Arc, OnceLock};
use std::borrow::Cow;
use std::fmt;
use std::str;

use regex::{Regex, RegexBuilder, Error};
use regex::{Match, Captures, Replacer};
use crate::syntax;
use crate::options::Options;
use crate::lru::LruCache;

/// An LRU cache for regular expressions.
#[derive(Clone, Debug)]
pub struct RegexCache(LruCache<String, Regex>);

impl RegexCache {
	/// Create a new LRU cache with the given size limit.
	pub fn new(capacity: usize) -> RegexCache {
		RegexCache(LruCache::new(capacity))
	}

	/// Save the given regular expression in the cache.
	///
	/// # Example
	///
	/// ```
	/// # use regex_cache::{Regex, RegexCache};
	/// let mut cache = RegexCache::new(100);
	/// let     re    = Regex::new(r"^\d+$").unwrap();
	///
	/// // By saving the previously created regular expression further calls to
	/// // `compile` won't actually compile the regular expression.
	/// cache.save(re);
	///
	/// assert!(cache.compile(r"^\d+$").unwrap().is_match("1234"));
	/// assert!(!cache.compile(r"^\d+$").unwrap().is_match("abcd"));
	/// ```
	pub fn save(&mut self, re: Regex) -> &Regex {
		let source = re.as_str().to_owned();

		if !self.0.contains_key(re.as_str()) {
			self.insert(source.clone(), re);
		}

		self.0.get_mut(&source).unwrap()
	}

	/// Create a new regular expression in the cache.
	///
	/// # Example
	///
	/// ```
	/// # use regex_cache::RegexCache;
	/// let mut cache = RegexCache::new(100);
	///
	/// assert!(cache.compile(r"^\d+$").unwrap().is_match("1234"));
	/// assert!(!cache.compile(r"^\d+$").unwrap().is_match("abcd"));
	/// ```
	pub fn compile(&mut self, source: &str) -> Result<&Regex, Error> {
		if !self.0.contains_key(source) {
			self.0.insert(source.into(), Regex::new(source)?);
		}

		Ok(self.0.get_mut(source).unwrap())
	}

	/// Configure a new regular expression.
	///
	/// # Example
	///
	/// ```
	/// # use regex_cache::RegexCache;
	/// let mut cache = RegexCache::new(100);
	///
	/// assert!(cache.configure(r"abc", |b| b.case_insensitive(true)).unwrap()
	/// 	.is_match("ABC"));
	///
	/// assert!(!cache.configure(r"abc", |b| b.case_insensitive(true)).unwrap()
	/// 	.is_match("123"));
	/// ```
	pub fn configure<F>(&mut self, source: &str, f: F) -> Result<&Regex, Error>
		where F: FnOnce(&mut RegexBuilder) -> &mut RegexBuilder
	{
		if !self.0.contains_key(source) {
			self.0.insert(source.into(), f(&mut RegexBuilder::new(source)).build()?);
		}

		Ok(self.0.get_mut(source).unwrap())
	}
}

impl Deref for RegexCache {
	type Target = LruCache<String, Regex>;

	fn deref(&self) -> &Self::Target {
		&self.0
	}
}

impl DerefMut for RegexCache {
	fn deref_mut(&mut self) -> &mut Self::Target {
		&mut self.0
	}
}

// leakdex patch: each `CachedRegex` compiles its pattern once, on first use, and keeps
// it. Upstream looked the pattern up in the shared LRU cache on every call, holding the
// cache's one global mutex during the search itself (and SipHashing the pattern), so
// all threads validating phone numbers through libphonenumber ran one at a time.
// `CachedRegexBuilder::build` no longer parses the pattern up front either: libphonenumber
// builds thousands of them when its metadata loads (60 ms of every run, for patterns of
// countries a scan may never see). A pattern that does not compile matches nothing.
//
// A second leakdex patch: on ASCII text (every phone candidate leakdex validates),
// `is_match`, `find` and `captures` use a twin of the pattern compiled without Unicode
// classes, where `\d` is `[0-9]` instead of ~700 code points: libphonenumber's patterns
// are `\d`-heavy, and building the lazy DFA states of their Unicode form was ~10% of a
// text scan. On ASCII text both forms match exactly the same; any other text, or a
// pattern the ASCII mode refuses, uses the Unicode form.
//
// A third leakdex patch: `matches_at_start` answers `find(text)` starting at 0 (how
// libphonenumber tests a number against a pattern) by an anchored search of an ASCII
// twin (regex-automata's meta engine, `Anchored::Yes`): it stops at the first match from
// offset 0 instead of finding where the leftmost match ends and then searching
// backwards for where it starts. The pattern is not rewritten (wrapping it in `\A(?:…)`
// would let an inline `(?-x)` or an unbalanced parenthesis change its meaning).
#[derive(Clone)]
pub struct CachedRegex {
	builder: CachedRegexBuilder,
	compiled: Arc<OnceLock<Option<Regex>>>,
	ascii: Arc<OnceLock<Option<Regex>>>,
	anchored: Arc<OnceLock<Option<regex_automata::meta::Regex>>>,
}

macro_rules! regex {
	($self:ident) => (
		$self.compiled.get_or_init(|| {
			$self.builder.options.define(&mut RegexBuilder::new(&$self.builder.source))
				.build().ok()
		}).as_ref()
	)
}

impl CachedRegex {
	/// The form to run on `text`: the ASCII twin for ASCII text when it compiles.
	fn on(&self, text: &str) -> Option<&Regex> {
		if text.is_ascii() {
			let twin = self.ascii.get_or_init(|| {
				self.builder.options.define(&mut RegexBuilder::new(&self.builder.source))
					.unicode(false)
					.build().ok()
			});
			if let Some(r) = twin.as_ref() {
				return Some(r);
			}
		}
		regex!(self)
	}

	/// Create a new cached `Regex` for the given source, checking the syntax is
	/// valid.
	pub fn new(cache: Arc<Mutex<RegexCache>>, source: &str) -> Result<CachedRegex, Error> {
		if let Err(err) = syntax::Parser::new().parse(source) {
			return Err(Error::Syntax(err.to_string()));
		}

		Ok(CachedRegex::new_unchecked(cache, source))
	}

	/// Create a new cached `Regex` for the given source, without checking if the 
	/// syntax is valid.
	/// 
	/// Only use this if you know that the syntax is valid or you are ready to 
	/// handle potential syntax errors later on.
	pub fn new_unchecked(cache: Arc<Mutex<RegexCache>>, source: &str) -> CachedRegex {
		CachedRegex::from(CachedRegexBuilder::new(cache, source))
	}

	fn from(builder: CachedRegexBuilder) -> Self {
		CachedRegex {
			builder: builder,
			compiled: Arc::new(OnceLock::new()),
			ascii: Arc::new(OnceLock::new()),
			anchored: Arc::new(OnceLock::new()),
		}
	}

	/// Refer to `Regex::is_match`.
	pub fn is_match(&self, text: &str) -> bool {
		self.on(text).is_some_and(|r| r.is_match(text))
	}

	/// Whether a match starts at offset 0: `find(text)` starting there, since the leftmost
	/// match starts at 0 exactly when some match does. On ASCII text an anchored search
	/// of the pattern's ASCII twin answers (built with the same options, only when the
	/// pattern itself compiles); any other text, or a pattern whose twin does not
	/// compile, goes through `find`.
	pub fn matches_at_start(&self, text: &str) -> bool {
		if text.is_ascii() {
			if let Some(r) = self.anchored_twin() {
				let input = regex_automata::Input::new(text)
					.anchored(regex_automata::Anchored::Yes);
				return r.is_match(input);
			}
		}
		self.find(text).is_some_and(|m| m.start() == 0)
	}

	fn anchored_twin(&self) -> Option<&regex_automata::meta::Regex> {
		self.anchored.get_or_init(|| {
			regex!(self)?;
			let o = &self.builder.options;
			regex_automata::meta::Builder::new()
				.configure(regex_automata::meta::Config::new()
					.nfa_size_limit(Some(o.size_limit))
					.hybrid_cache_capacity(o.dfa_size_limit))
				.syntax(regex_automata::util::syntax::Config::new()
					.case_insensitive(o.case_insensitive)
					.multi_line(o.multi_line)
					.dot_matches_new_line(o.dot_matches_new_line)
					.swap_greed(o.swap_greed)
					.ignore_whitespace(o.ignore_whitespace)
					.unicode(false))
				.build(&self.builder.source)
				.ok()
		}).as_ref()
	}

	/// Refer to `Regex::find`.
	pub fn find<'t>(&self, text: &'t str) -> Option<Match<'t>> {
		self.on(text)?.find(text)
	}

	/// Refer to `Regex::captures`.
	pub fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
		self.on(text)?.captures(text)
	}

	/// Refer to `Regex::replace`.
	pub fn replace<'t, R: Replacer>(&self, text: &'t str, rep: R) -> Cow<'t, str> {
		match regex!(self) {
			Some(r) => r.replace(text, rep),
			None => Cow::Borrowed(text),
		}
	}

	/// Refer to `Regex::replace_all`.
	pub fn replace_all<'t, R: Replacer>(&self, text: &'t str, rep: R) -> Cow<'t, str> {
		match regex!(self) {
			Some(r) => r.replace_all(text, rep),
			None => Cow::Borrowed(text),
		}
	}

	/// Refer to `Regex::shortest_match`.
	pub fn shortest_match(&self, text: &str) -> Option<usize> {
		regex!(self)?.shortest_match(text)
	}

	pub fn captures_len(&self) -> usize {
		regex!(self).map_or(0, |r| r.captures_len())
	}

	pub fn as_str(&self) -> &str {
		&self.builder.source
	}
}

impl fmt::Debug for CachedRegex {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		fmt::Debug::fmt(&self.builder.source, f)
	}
}

impl fmt::Display for CachedRegex {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		fmt::Display::fmt(&self.builder.source, f)
	}
}

/// A configurable builder for a cached `Regex`.
#[derive(Clone, Debug)]
pub struct CachedRegexBuilder {
	// leakdex patch: kept for the API; compiled patterns now live in each `CachedRegex`.
	#[allow(dead_code)]
	cache:   Arc<Mutex<RegexCache>>,
	source:  String,
	options: Options,
}

impl CachedRegexBuilder {
	/// Create a new regular expression builder with the given pattern.
	///
	/// If the pattern is invalid, then an error will be returned when
	/// `compile` is called.
	pub fn new(cache: Arc<Mutex<RegexCache>>, source: &str) -> CachedRegexBuilder {
		CachedRegexBuilder {
			cache:   cache,
			source:  source.to_owned(),
			options: Default::default(),
		}
	}

	/// Consume the builder and compile the regular expression.
	///
	/// Note that calling `as_str` on the resulting `Regex` will produce the
	/// pattern given to `new` verbatim. Notably, it will not incorporate any
	/// of the flags set on this builder.
	pub fn build(&self) -> Result<CachedRegex, Error> {
		// leakdex patch: checked when first used (see `CachedRegex`), not here.
		Ok(CachedRegex::from(self.clone()))
	}

	/// Consume the builder and compile the regular expression without checking 
	/// if the syntax is valid.
	/// 
	/// Only use this if you know that the syntax is valid or you are ready to 
	/// handle potential syntax errors later on.
	///
	/// Note that calling `as_str` on the resulting `Regex` will produce the
	/// pattern given to `new` verbatim. Notably, it will not incorporate any
	/// of the flags set on this builder.
	pub fn build_unchecked(&self) -> CachedRegex {
		CachedRegex::from(self.clone())
	}

	/// Set the value for the case insensitive (`i`) flag.
	pub fn case_insensitive(&mut self, yes: bool) -> &mut CachedRegexBuilder {
		self.options.case_insensitive = yes;
		self
	}

	/// Set the value for the multi-line matching (`m`) flag.
	pub fn multi_line(&mut self, yes: bool) -> &mut CachedRegexBuilder {
		self.options.multi_line = yes;
		self
	}

	/// Set the value for the any character (`s`) flag, where in `.` matches
	/// anything when `s` is set and matches anything except for new line when
	/// it is not set (the default).
	///
	/// N.B. "matches anything" means "any byte" for `regex::bytes::Regex`
	/// expressions and means "any Unicode scalar value" for `regex::Regex`
	/// expressions.
	pub fn dot_matches_new_line(&mut self, yes: bool) -> &mut CachedRegexBuilder {
		self.options.dot_matches_new_line = yes;
		self
	}

	/// Set the value for the greedy swap (`U`) flag.
	pub fn swap_greed(&mut self, yes: bool) -> &mut CachedRegexBuilder {
		self.options.swap_greed = yes;
		self
	}

	/// Set the value for the ignore whitespace (`x`) flag.
	pub fn ignore_whitespace(&mut self, yes: bool) -> &mut CachedRegexBuilder {
		self.options.ignore_whitespace = yes;
		self
	}

	/// Set the value for the Unicode (`u`) flag.
	pub fn unicode(&mut self, yes: bool) -> &mut CachedRegexBuilder {
		self.options.unicode = yes;
		self
	}

	/// Set the approximate size limit of the compiled regular expression.
	///
	/// This roughly corresponds to the number of bytes occupied by a single
	/// compiled program. If the program exceeds this number, then a
	/// compilation error is returned.
	pub fn size_limit(&mut self, limit: usize) -> &mut CachedRegexBuilder {
		self.options.size_limit = limit;
		self
	}

	/// Set the approximate size of the cache used by the DFA.
	///
	/// This roughly corresponds to the number of bytes that the DFA will
	/// use while searching.
	///
	/// Note that this is a *per thread* limit. There is no way to set a global
	/// limit. In particular, if a regex is used from multiple threads
	/// simulanteously, then each thread may use up to the number of bytes
	/// specified here.
	pub fn dfa_size_limit(&mut self, limit: usize) -> &mut CachedRegexBuilder {
		self.options.dfa_size_limit = limit;
		self
	}
}

#[cfg(test)]
mod test {
	use std::sync::{Arc, Mutex};
	use crate::cache::{RegexCache, CachedRegex, CachedRegexBuilder};

	#[test]
	fn respects_limit() {
		let mut cache = RegexCache::new(2);

		cache.compile("[01]2").unwrap();
		cache.compile("[21]0").unwrap();

		assert_eq!(cache.len(), 2);
		cache.compile("[21]3").unwrap();
		assert_eq!(cache.len(), 2);
	}

	#[test]
	fn built_patterns_compile_on_first_use_and_bad_ones_match_nothing() {
		let cache = Arc::new(Mutex::new(RegexCache::new(100)));
		let re = CachedRegexBuilder::new(cache.clone(), r"^ \d + $").ignore_whitespace(true)
			.build().unwrap();
		assert!(re.is_match("123"));
		assert_eq!(re.find("12").map(|m| m.end()), Some(2));
		let bad = CachedRegexBuilder::new(cache, r"(unclosed").build().unwrap();
		assert!(!bad.is_match("unclosed"));
		assert!(bad.find("unclosed").is_none());
		assert_eq!(bad.replace_all("x", "y"), "x");
		assert_eq!(bad.captures_len(), 0);
	}

	#[test]
	fn ascii_text_runs_the_ascii_twin_and_other_text_the_unicode_form() {
		let cache = Arc::new(Mutex::new(RegexCache::new(100)));
		let digits = CachedRegexBuilder::new(cache.clone(), r"\d{3}").build().unwrap();
		assert_eq!(digits.find("ab123").map(|m| (m.start(), m.end())), Some((2, 5)));
		assert!(digits.ascii.get().is_some_and(|r| r.is_some()), "the ASCII twin ran");
		assert!(digits.compiled.get().is_none(), "the Unicode form was not needed");
		// Arabic-Indic digits are `\d` in Unicode mode: non-ASCII text keeps that meaning.
		assert!(digits.is_match("\u{0663}\u{0664}\u{0665}"));
		assert!(!digits.is_match("12"));
		// A pattern the ASCII mode refuses (it could match invalid UTF-8) still works.
		let not_a = CachedRegexBuilder::new(cache, r"^[^a]$").build().unwrap();
		assert!(not_a.is_match("b"));
		assert!(not_a.is_match("\u{e9}"));
		assert!(!not_a.is_match("a"));
		let caps = not_a.captures("b").map(|c| c.len());
		assert_eq!(caps, Some(1));
	}

	#[test]
	fn matches_at_start_answers_as_find_starting_at_zero() {
		let cache = Arc::new(Mutex::new(RegexCache::new(100)));
		// A top-level alternation, a trailing comment in whitespace-insensitive mode, an
		// inline flag that switches that mode off, a pattern matching the empty string, a
		// multi-line `^` and a libphonenumber-shaped one.
		let patterns: Vec<CachedRegex> = vec![
			CachedRegexBuilder::new(cache.clone(), r"3\d|1\d{2}").build().unwrap(),
			CachedRegexBuilder::new(cache.clone(), "[2-9] \\d{2} # area code")
				.ignore_whitespace(true).build().unwrap(),
			CachedRegexBuilder::new(cache.clone(), "3 (?-x)1 ").ignore_whitespace(true)
				.build().unwrap(),
			CachedRegexBuilder::new(cache.clone(), r"\d*").build().unwrap(),
			CachedRegexBuilder::new(cache.clone(), r"^5\d").multi_line(true).build().unwrap(),
			CachedRegexBuilder::new(cache.clone(), r"(?:30[1-9]|4[0-2])\d{4,8}")
				.ignore_whitespace(true).build().unwrap(),
		];
		let texts = ["", "3", "31", "131", "x31", "1312345", "8123", "a\n51", "51",
			"3012345678", "30212345", "4212", "990", "٣١", "3١", "31 ", "31 \n"];
		let mut hits = 0;
		for re in &patterns {
			for text in texts {
				let expected = re.find(text).is_some_and(|m| m.start() == 0);
				assert_eq!(re.matches_at_start(text), expected, "{} on {text:?}", re.as_str());
				hits += usize::from(expected);
			}
			// The anchored search answered (no silent fallback to `find`).
			assert!(re.anchored_twin().is_some(), "{}", re.as_str());
		}
		// A pattern that does not compile matches nothing, anchored or not.
		let bad = CachedRegexBuilder::new(cache.clone(), "a)|(b").build().unwrap();
		assert!(!bad.matches_at_start("b") && !bad.matches_at_start("xb"));
		// Both answers occur, so the comparison means something.
		assert!(hits > 10 && hits < patterns.len() * texts.len() - 10, "{}", hits);
	}

	#[test]
	fn cached_regex() {
		let cache = Arc::new(Mutex::new(RegexCache::new(100)));
		let re = CachedRegex::new(cache.clone(), r"^\d+$").unwrap();

		assert!(re.is_match("123"));
		assert!(!re.is_match("abc"));
	}
}
