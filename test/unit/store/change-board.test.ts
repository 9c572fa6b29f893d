import { expect } from 'chai';
import { ChangeBoard } from '../../../src/store/postgres/change-token.js';

describe('store/postgres: the change board behind changeToken()', () => {
  it('a commit of this process moves the token at once, for every store on the same database', () => {
    const board = new ChangeBoard();
    const a = board.join('db', 5);
    const b = board.join('db', 5);
    const other = board.join('other-db', 5);
    const before = b.token();
    a.committed(6);
    expect(b.token()).to.not.equal(before);
    expect(a.token()).to.equal(b.token());
    expect(other.token()).to.equal(before);
  });

  it('a poll that read an older value than a commit it raced changes nothing', () => {
    const board = new ChangeBoard();
    const a = board.join('db', 5);
    const done = a.startPoll();
    a.committed(6);
    const t = a.token();
    done(5);
    expect(a.token()).to.equal(t);
  });

  it('a poll reading a higher value moves the token; the same value does not', () => {
    const board = new ChangeBoard();
    const a = board.join('db', 5);
    const t = a.token();
    a.startPoll()(5);
    expect(a.token()).to.equal(t);
    a.startPoll()(9);
    expect(a.token()).to.not.equal(t);
  });

  it('a lower value no write raced (a restored database) moves the token to a new epoch', () => {
    const board = new ChangeBoard();
    const a = board.join('db', 9);
    const seen = new Set([a.token()]);
    a.startPoll()(2);
    expect(seen.has(a.token())).to.equal(false);
    seen.add(a.token());
    a.startPoll()(9);
    expect(seen.has(a.token())).to.equal(false);
  });

  it('the last store to leave forgets the database', () => {
    const board = new ChangeBoard();
    const a = board.join('db', 5);
    a.committed(8);
    a.leave();
    a.leave();
    expect(board.join('db', 3).token()).to.equal('0.3');
  });
});
