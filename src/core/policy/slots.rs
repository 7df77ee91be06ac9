//! A vector indexed by handle: per-entry state (the engine's entries, a policy's slots) with O(1)
//! access by small integer handles that are reused once freed.
//!
//! The engine's entries take their handles from here (`allocate`), so a handle is never handed
//! out twice. A handle released while the JS face may still hold accesses recorded under it (an
//! entry removed by another tab's message) is quarantined: it is reused only after `recycle`,
//! which the engine calls once the face has reported its buffered accesses.

use crate::core::types::Handle;

/// Values by handle.
#[derive(Debug)]
pub struct Slots<T> {
    items: Vec<Option<T>>,
    len: usize,
    free: Vec<Handle>,
    quarantined: Vec<Handle>,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            len: 0,
            free: Vec::new(),
            quarantined: Vec::new(),
        }
    }
}

impl<T> Slots<T> {
    /// Stores `value` under a handle no other value holds: a freed one, or a new one.
    pub fn allocate(&mut self, value: T) -> Handle {
        let handle = self.free.pop().unwrap_or(self.items.len() as Handle);
        let old = self.insert(handle, value);
        debug_assert!(old.is_none(), "a free handle holds nothing");
        handle
    }

    /// Removes the value at `handle`; the handle may be handed out again at once.
    pub fn release(&mut self, handle: Handle) -> Option<T> {
        let old = self.remove(handle)?;
        self.free.push(handle);
        Some(old)
    }

    /// Removes the value at `handle`; the handle is reused only after `recycle`.
    pub fn quarantine(&mut self, handle: Handle) -> Option<T> {
        let old = self.remove(handle)?;
        self.quarantined.push(handle);
        Some(old)
    }

    /// Quarantined handles may be handed out again.
    pub fn recycle(&mut self) {
        self.free.append(&mut self.quarantined);
    }

    /// The value at `handle`.
    pub fn get(&self, handle: Handle) -> Option<&T> {
        self.items.get(handle as usize)?.as_ref()
    }

    /// The value at `handle`, to change.
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

    /// Takes the value at `handle` out, leaving the handle to the caller.
    pub fn remove(&mut self, handle: Handle) -> Option<T> {
        let old = self.items.get_mut(handle as usize)?.take();
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops every value and handle.
    pub fn clear(&mut self) {
        self.items.clear();
        self.len = 0;
        self.free.clear();
        self.quarantined.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_never_handed_out_twice_and_quarantine_waits_for_recycle() {
        let mut slots = Slots::default();
        let (a, b, c) = (
            slots.allocate('a'),
            slots.allocate('b'),
            slots.allocate('c'),
        );
        assert_eq!((a, b, c), (0, 1, 2));
        slots.release(b);
        slots.quarantine(a);
        // b is free at once; a only after recycle; a new handle otherwise.
        assert_eq!(slots.allocate('d'), b);
        assert_eq!(slots.allocate('e'), 3);
        slots.recycle();
        assert_eq!(slots.allocate('f'), a);
        assert_eq!(slots.len(), 4);
        assert_eq!(slots.get(c), Some(&'c'));
    }
}
