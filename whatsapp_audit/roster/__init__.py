"""The class roster (`group.yaml`): who may be in the group, staff and pupils' names, investigations."""
