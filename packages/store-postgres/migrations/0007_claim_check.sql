-- A step's commit is one multi-statement query without BEGIN and COMMIT of its own: PostgreSQL runs
-- it as one implicit transaction, committed when the last statement is done, so the commit costs one
-- round trip (BEGIN with the statements, then COMMIT, were two). The statements that claim a pending
-- event or a due timer must each change exactly one row, or another replica handled it meanwhile;
-- they check that here, and the error (SQLSTATE SH001, its message naming what was claimed) rolls
-- the whole commit back. The store reads it as AlreadyHandledError (postgres-errors.ts).
CREATE FUNCTION shipmate_expect_one(changed bigint, what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF changed <> 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'SH001', MESSAGE = what;
  END IF;
END
$$;
