import { BadRequestException, Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { sendJsonView } from '../http/send-json-view';
import { ModuleResourceDirectory } from './module-resource-directory.service';

const MODULE_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** `GET /modules/:moduleId/resources`: the services and networks a module owns. */
@ApiTags('modules')
@Controller('modules')
export class ModuleResourcesController {
  constructor(private readonly directory: ModuleResourceDirectory) {}

  @Get(':moduleId/resources')
  @ApiOperation({ summary: "A module's resources (services and networks), from module_resource_contexts" })
  async resources(@Param('moduleId') moduleId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (!MODULE_ID_PATTERN.test(moduleId)) {
      throw new BadRequestException('moduleId must be 1-100 letters, digits, ".", "_" or "-"');
    }
    sendJsonView(request, response, await this.directory.resources(moduleId));
  }
}
