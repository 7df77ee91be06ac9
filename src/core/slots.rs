//! A vector indexed by handle: per-entry state (the engine's entries, a policy's slots) with O(1)
//! access by small integer handles that are reused once freed.

use super::memory::Handle;

#[derive(Debug)]
pub struct Slots<T> {
    items: Vec<Option<T>>,
    len: usize,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Slots<T> {
    pub fn get(&self, handle: Handle) -> Option<&T> {
        self.items.get(handle as usize)?.as_ref()
    }

    pub fn get_mut(&mut self, handle: Handle) -> Option<&mut T> {
        self.items.get_mut(handle as usize)?.as_mut()
    }

    /// Puts `value` at `handle`, returning what was there.
    pub fn insert(&mut self, handle: Handle, value: T) -> Option<T> {
        let at = handle as usize;
        if at >= self.items.len() {
            self.items.resize_with(at + 1, || None);
        }
        let old = self.items[at].replace(value);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub fn remove(&mut self, handle: Handle) -> Option<T> {
        let old = self.items.get_mut(handle as usize)?.take();
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.len = 0;
    }
}
