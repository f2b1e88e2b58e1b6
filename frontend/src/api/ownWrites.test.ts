import { describe, expect, it } from 'vitest';
import { OwnWrites } from './ownWrites';

describe('OwnWrites', () => {
  it('follows a chain of our own writes to the newest version, and stops where someone else wrote', () => {
    const writes = new OwnWrites();
    writes.record('a', 1, 2);
    writes.record('a', 2, 3);
    // Someone else made version 4; our next write went from 4 to 5.
    writes.record('a', 4, 5);
    expect(writes.current('a', 1)).toBe(3);
    expect(writes.current('a', 3)).toBe(3);
    expect(writes.current('a', 4)).toBe(5);
    expect(writes.current('b', 7)).toBe(7);
    expect(writes.newest('a')).toBe(5);
  });

  it('does not grow without bound however many tasks are written: the task written longest ago goes first', () => {
    const writes = new OwnWrites(100, 20);
    for (let n = 0; n < 10_000; n += 1) writes.record(`task-${String(n)}`, 1, 2);
    expect(writes.size).toBe(100);
    expect(writes.has('task-9999')).toBe(true);
    expect(writes.has('task-9900')).toBe(true);
    expect(writes.has('task-9899')).toBe(false);
  });

  it('writing a task again makes it the newest, so it outlives tasks written since its first write', () => {
    const writes = new OwnWrites(2, 20);
    writes.record('a', 1, 2);
    writes.record('b', 1, 2);
    writes.record('a', 2, 3);
    writes.record('c', 1, 2);
    expect(writes.ids()).toEqual(['a', 'c']);
  });

  it("does not grow without bound however often one task is written: a chain keeps its latest links", () => {
    const writes = new OwnWrites(100, 20);
    for (let version = 1; version <= 10_000; version += 1) writes.record('a', version, version + 1);
    expect(writes.links).toBe(20);
    expect(writes.current('a', 9_990)).toBe(10_001);
    expect(writes.current('a', 1)).toBe(1);
  });

  it('forgets a task', () => {
    const writes = new OwnWrites();
    writes.record('a', 1, 2);
    writes.forget('a');
    expect(writes.size).toBe(0);
    expect(writes.current('a', 1)).toBe(1);
  });
});
