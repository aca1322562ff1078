"""The client's phone system: call-flow objects, where each number rings, the diagram and the simulator.

`routing` is the pure call-flow logic; `graph` reads one client's flow from the tables; `objects` creates, changes
and deletes the building blocks; `numbers` routes the numbers, draws them and simulates calls; `audio` checks and
stores uploaded recordings; `traffic` sends the sandbox's invented inbound calls through the same walk.
"""
