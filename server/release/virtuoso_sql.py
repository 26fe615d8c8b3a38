"""The SQL procedures ``msckg publish --virtuoso`` creates in Virtuoso (``DB.DBA.MSCKG_*``), and their names.

Each step of a publish (:mod:`server.release.virtuoso`) calls these over isql; they are created again at every
run (``create procedure`` replaces one), so that a store always runs the procedures of the publishing version.
"""

from server.release.publish import STAGING

#: Virtuoso's group of private graphs (readable only by users granted so).
PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: Graphs a new Virtuoso 7.2 database holds by itself, hidden from the public so that the union is our data.
SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                 "http://localuriqaserver/sparql")  # fmt: skip
#: Staging graphs are *slots*, ``<SLOTS><n>``, the same IRIs in every run: they stay private between runs.
SLOTS = STAGING + "slot:"
#: The registry key the switch marks its commit under, which a SPARQL reader can read (``bif:registry_get``):
#: ``stable N`` between switches, ``switching N+1`` while the switch commits (:mod:`server.engine.fence`).
RELEASE_MARK = "MSCKG_RELEASE"
#: Slots are made private in blocks of this many.
SLOT_BLOCK = 1024

_PROCEDURES = """
create procedure DB.DBA.MSCKG_TABLES ()
{
  if (not exists (select 1 from DB.DBA.SYS_KEYS where KEY_TABLE = 'DB.DBA.MSCKG_MAP'))
    exec ('create table DB.DBA.MSCKG_MAP (FROM_G IRI_ID primary key, TO_G IRI_ID)');
  if (not exists (select 1 from DB.DBA.SYS_KEYS where KEY_TABLE = 'DB.DBA.MSCKG_DROP'))
    exec ('create table DB.DBA.MSCKG_DROP (G IRI_ID primary key)');
}
;
DB.DBA.MSCKG_TABLES ();
create procedure DB.DBA.MSCKG_RESERVE_IID ()
{
  declare seq integer;
  for (seq := 0; seq < 19; seq := seq + 1)
    if (sequence_set (sprintf ('__IRI_MAX%d', seq), 0, 2) > 8192)
      sequence_set (sprintf ('__IRI%d', seq), 8193, 1);
}
;
DB.DBA.MSCKG_RESERVE_IID ();
create procedure DB.DBA.MSCKG_READ_ONLY (in sparql_user varchar)
{
  foreach (varchar role_name in vector ('SPARQL_UPDATE', 'SPARQL_SPONGE')) do
    if (exists (select 1 from DB.DBA.SYS_ROLE_GRANTS, DB.DBA.SYS_USERS R, DB.DBA.SYS_USERS U
                where GI_DIRECT = 1 and GI_SUB = R.U_ID and R.U_NAME = role_name
                and GI_SUPER = U.U_ID and U.U_NAME = sparql_user))
      exec (sprintf ('revoke "%I" from "%I"', role_name, sparql_user));
}
;
create procedure DB.DBA.MSCKG_CHECK_LOAD (in dir varchar)
{
  for (select LL_FILE, LL_ERROR, LL_STATE from DB.DBA.LOAD_LIST where LL_FILE like dir || '%') do
    if (LL_ERROR is not null or LL_STATE <> 2)
      signal ('MSCKG', sprintf ('bulk load of %s failed: %s', LL_FILE, coalesce (LL_ERROR, 'not loaded')));
}
;
create procedure DB.DBA.MSCKG_MAP_START (in run varchar)
{
  exec ('delete from DB.DBA.MSCKG_MAP');
  registry_set ('MSCKG_STAGING', run);
}
;
create procedure DB.DBA.MSCKG_MAP_ADD (in list_file varchar)
{
  declare pairs any;
  pairs := split_and_decode (file_to_string (list_file), 0, '\\0\\0\\n');
  if (length (pairs[length (pairs) - 1]) = 0)
    pairs := subseq (pairs, 0, length (pairs) - 1);
  for vectored (in pair varchar := pairs)
    {
      insert soft DB.DBA.MSCKG_MAP (FROM_G, TO_G)
        values (iri_to_id (subseq (pair, 0, strchr (pair, ' '))), iri_to_id (subseq (pair, strchr (pair, ' ') + 1)));
    }
  if (exists (select 1 from DB.DBA.MSCKG_MAP where TO_G = #i8192))
    foreach (varchar pair in pairs) do
      if (iri_to_id (subseq (pair, strchr (pair, ' ') + 1)) = #i8192)
        signal ('MSCKG', sprintf ('graph <%s> has IRI id #i8192, which Virtuoso reads as the default permissions of '
                                  || 'private graphs: the public could not read it; publish into a new database',
                                  subseq (pair, strchr (pair, ' ') + 1)));
}
;
create procedure DB.DBA.MSCKG_MAP_CHECK ()
{
  if (exists (select 1 from DB.DBA.MSCKG_MAP, DB.DBA.RDF_GRAPH_USER
              where RGU_GRAPH_IID = FROM_G and RGU_USER_ID <> 0 and bit_and (RGU_PERMISSIONS, 1)))
    signal ('MSCKG', 'a staging graph is readable through permissions of its own (DB.DBA.RDF_GRAPH_USER)');
}
;
create procedure DB.DBA.MSCKG_SETUP_CHANGES ()
{
  declare changes integer;
  changes := 0;
  if (not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP where RGG_IRI = '{private}'))
    changes := changes + 1;
  if (not exists (select 1 from DB.DBA.RDF_GRAPH_USER
                  where RGU_GRAPH_IID = #i8192 and RGU_USER_ID = http_nobody_uid () and RGU_PERMISSIONS = 0))
    changes := changes + 1;
  foreach (varchar system_graph in vector ({system})) do
    if (not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                    where RGGM_GROUP_IID = iri_to_id ('{private}') and RGGM_MEMBER_IID = iri_to_id (system_graph)))
      changes := changes + 1;
  foreach (varchar sparql_user in vector ('SPARQL', 'nobody')) do
    foreach (varchar role_name in vector ('SPARQL_UPDATE', 'SPARQL_SPONGE')) do
      if (exists (select 1 from DB.DBA.SYS_ROLE_GRANTS, DB.DBA.SYS_USERS R, DB.DBA.SYS_USERS U
                  where GI_DIRECT = 1 and GI_SUB = R.U_ID and R.U_NAME = role_name
                  and GI_SUPER = U.U_ID and U.U_NAME = sparql_user))
        changes := changes + 1;
  return changes;
}
;
create procedure DB.DBA.MSCKG_PLAN (in slots varchar, in needed integer)
{
  declare reserved integer;
  reserved := registry_get ('MSCKG_SLOTS');
  reserved := case when isstring (reserved) then atoi (reserved) else 0 end;
  if (reserved > 0 and dict_get (__rdf_graph_group_of_privates_dict (),
                                 iri_to_id (sprintf ('%s%d', slots, reserved - 1), 0), 0) = 0)
    reserved := 0;
  return sprintf ('MSCKG-PLAN reserved=%d setup=%d threads=%d', reserved, DB.DBA.MSCKG_SETUP_CHANGES (),
                  sys_stat ('enable_qp'));
}
;
create procedure DB.DBA.MSCKG_SETUP ()
{
  DB.DBA.RDF_GRAPH_GROUP_CREATE ('{private}', 1);
  if (not exists (select 1 from DB.DBA.RDF_GRAPH_USER
                  where RGU_GRAPH_IID = #i8192 and RGU_USER_ID = http_nobody_uid () and RGU_PERMISSIONS = 0))
    DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
  foreach (varchar system_graph in vector ({system})) do
    if (not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                    where RGGM_GROUP_IID = iri_to_id ('{private}') and RGGM_MEMBER_IID = iri_to_id (system_graph)))
      DB.DBA.RDF_GRAPH_GROUP_INS ('{private}', system_graph);
  DB.DBA.MSCKG_READ_ONLY ('SPARQL');
  DB.DBA.MSCKG_READ_ONLY ('nobody');
}
;
create procedure DB.DBA.MSCKG_RESERVE_SLOTS (in slots varchar, in wanted integer)
{
  declare group_iid IRI_ID;
  declare members, inx integer;
  declare numbers, membs, fake any;
  group_iid := iri_to_id ('{private}');
  numbers := make_array (wanted, 'any');
  for (inx := 0; inx < wanted; inx := inx + 1)
    numbers[inx] := inx;
  exec ('delete from DB.DBA.MSCKG_DROP');
  for vectored (in slot integer := numbers)
    {
      insert soft DB.DBA.MSCKG_DROP (G) values (iri_to_id (sprintf ('%s%d', slots, slot)));
    }
  exec ('delete from DB.DBA.MSCKG_DROP where G in (select RGGM_MEMBER_IID from DB.DBA.RDF_GRAPH_GROUP_MEMBER '
        || 'where RGGM_GROUP_IID = iri_to_id (''{private}''))');
  if (exists (select 1 from DB.DBA.MSCKG_DROP))
    {
      exec ('insert soft DB.DBA.RDF_GRAPH_GROUP_MEMBER (RGGM_GROUP_IID, RGGM_MEMBER_IID) '
            || 'select iri_to_id (''{private}''), G from DB.DBA.MSCKG_DROP');
      commit work;
      fake := (select count (dict_put (__rdf_graph_id2iri_dict (), G, __uname (id_to_canonicalized_iri (G))))
               from DB.DBA.MSCKG_DROP);
      fake := (select count (dict_put (__rdf_graph_iri2id_dict (), dict_get (__rdf_graph_id2iri_dict (), G), G))
                      + count (dict_put (__rdf_graph_group_of_privates_dict (), G, 1))
               from DB.DBA.MSCKG_DROP);
      fake := (select count (jso_mark_affected (dict_get (__rdf_graph_id2iri_dict (), G))) from DB.DBA.MSCKG_DROP);
      members := (select count (*) from DB.DBA.RDF_GRAPH_GROUP_MEMBER where RGGM_GROUP_IID = group_iid);
      if (members < 1000)
        {
          membs := (select DB.DBA.VECTOR_AGG (RGGM_MEMBER_IID) from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                    where RGGM_GROUP_IID = group_iid);
          if (membs is null) membs := vector ();
          gvector_digit_sort (membs, 1, 0, 1);
        }
      else
        {
          membs := dict_new (members);
          fake := (select count (dict_put (membs, RGGM_MEMBER_IID, 1)) from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                   where RGGM_GROUP_IID = group_iid);
        }
      dict_put (__rdf_graph_group_dict (), group_iid, membs);
      jso_mark_affected ('{private}');
    }
  registry_set ('MSCKG_SLOTS', cast (wanted as varchar));
}
;
create procedure DB.DBA.MSCKG_STAGED ()
{
  declare state, message, meta, rows any;
  state := '00000';
  exec ('select count (*) from DB.DBA.MSCKG_MAP M, DB.DBA.RDF_QUAD Q where Q.G = M.FROM_G',
        state, message, vector (), 1, meta, rows);
  if (state <> '00000')
    signal (state, message);
  return rows[0][0];
}
;
create procedure DB.DBA.MSCKG_STOP_LOADS (in files varchar, in patience integer)
{
  declare waited, counted, counting, quiet integer;
  delete from DB.DBA.LOAD_LIST where LL_STATE = 0 and LL_FILE like files;
  commit work;
  if (not exists (select 1 from DB.DBA.LOAD_LIST where LL_STATE = 1 and LL_FILE like files))
    {
      delete from DB.DBA.LOAD_LIST where LL_FILE like files;
      commit work;
      return;
    }
  insert soft DB.DBA.LOAD_LIST (LL_FILE, LL_GRAPH) values ('##stop', 'urn:x-msckg:unused');
  commit work;
  waited := 0;
  quiet := 0;
  counted := DB.DBA.MSCKG_STAGED ();
  while (exists (select 1 from DB.DBA.LOAD_LIST where LL_STATE = 1 and LL_FILE like files))
    {
      if (waited >= patience)
        signal ('MSCKG', sprintf ('a bulk load of a publish run is still adding quads after %d s: '
                                  || 'try again when it has finished', patience));
      delay (5);
      waited := waited + 5;
      counting := DB.DBA.MSCKG_STAGED ();
      quiet := case when counting = counted then quiet + 1 else 0 end;
      if (quiet >= 2)
        update DB.DBA.LOAD_LIST set LL_STATE = 2, LL_ERROR = 'msckg: no loader adds quads any more'
          where LL_STATE = 1 and LL_FILE like files;
      commit work;
      counted := counting;
    }
  delete from DB.DBA.LOAD_LIST where LL_FILE like files;
  commit work;
}
;
create procedure DB.DBA.MSCKG_DROP_GRAPHS (in prefix varchar)
{
  delete from DB.DBA.MSCKG_DROP;
  insert soft DB.DBA.MSCKG_DROP (G)
    select G from (select distinct G from DB.DBA.RDF_QUAD) x where starts_with (id_to_iri (G), prefix);
  exec ('delete from DB.DBA.RDF_QUAD where G in (select G from DB.DBA.MSCKG_DROP)');
}
;
create procedure DB.DBA.MSCKG_DISCARD (in slots varchar, in run varchar, in dir varchar, in patience integer)
{
  if (not isstring (registry_get ('MSCKG_STAGING')) or registry_get ('MSCKG_STAGING') <> run)
    {
      delete from DB.DBA.LOAD_LIST where LL_FILE like dir || '%';
      return;
    }
  DB.DBA.MSCKG_STOP_LOADS (dir || '%', patience);
  DB.DBA.MSCKG_DROP_GRAPHS (slots);
}
;
create procedure DB.DBA.MSCKG_SWITCH (in owned varchar, in run varchar)
{
  declare epoch integer;
  declare mark any;
  if (not isstring (registry_get ('MSCKG_STAGING')) or registry_get ('MSCKG_STAGING') <> run)
    signal ('MSCKG', 'the staging map is another run''s: the served release stays');
  DB.DBA.MSCKG_DROP_GRAPHS (owned);
  exec ('insert into DB.DBA.RDF_QUAD (G, S, P, O) select M.TO_G, Q.S, Q.P, Q.O '
        || 'from DB.DBA.MSCKG_MAP M, DB.DBA.RDF_QUAD Q where Q.G = M.FROM_G');
  exec ('delete from DB.DBA.RDF_QUAD where G in (select FROM_G from DB.DBA.MSCKG_MAP)');
  mark := registry_get ('{mark}');
  epoch := case when isstring (mark) and strchr (mark, ' ') is not null
                then atoi (subseq (mark, strchr (mark, ' ') + 1)) else 0 end;
  {
    declare exit handler for sqlstate '*'
      {
        registry_set ('{mark}', mark);
        signal (__SQL_STATE, __SQL_MESSAGE);
      };
    log_enable (0, 1);
    registry_set ('{mark}', sprintf ('switching %d %s', epoch + 1, run));
    log_enable (1, 1);
    commit work;
  }
  registry_set ('{mark}', sprintf ('stable %d %s', epoch + 1, run));
}
;
"""


def procedures() -> str:
    """Return the script that creates the procedures, with the names above filled in.

    :returns: SQL statements for isql.
    """
    system = ", ".join("'" + graph + "'" for graph in SYSTEM_GRAPHS)
    return _PROCEDURES.replace("{private}", PRIVATE).replace("{system}", system).replace("{mark}", RELEASE_MARK)
